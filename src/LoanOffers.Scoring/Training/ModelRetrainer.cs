using LoanOffers.Domain;
using LoanOffers.Scoring.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LoanOffers.Scoring.Training;

/// <summary>What one retraining did: both models' metrics on the same held-out rows, and whether the new one was promoted.</summary>
public sealed record RetrainingResult(
    string ModelId,
    string CurrentVersion,
    ModelMetrics CurrentMetrics,
    ModelCard Candidate,
    bool Promoted,
    string Reason,
    IReadOnlyList<BadRow> BadRows);

/// <summary>
/// Seed 000's monthly retraining ("retrain, evaluate, deploy if improved"): trains a candidate on recorded outcomes
/// with the current model's label and features, scores the candidate and the current model on the same held-out rows
/// (chosen by row key, so rows the current model learned from in an earlier run stay held out), and promotes the
/// candidate only if its AUC is higher by at least <see cref="MinimumAucGain"/> (on an equal AUC, a lower Brier score
/// wins). A promotion adds a new version and activates it; the old version stays in the store for
/// <see cref="ModelStore.Rollback"/>. A rejected candidate is not written.
/// </summary>
public sealed partial class ModelRetrainer
{
    private readonly ModelStore _store;
    private readonly ILogger _logger;
    private readonly OnnxCreditModelRegistry? _registry;
    private readonly TrainerOptions _trainerOptions;

    public ModelRetrainer(IOptions<ScoringOptions> options, ILogger<ModelRetrainer> logger, ICreditModelRegistry registry)
        : this(new ModelStore(options.Value.ModelDirectory ?? throw new InvalidOperationException($"{nameof(ScoringOptions)}.{nameof(ScoringOptions.ModelDirectory)} is not set.")),
            logger, registry as OnnxCreditModelRegistry)
    {
    }

    /// <param name="registry">Told to serve a promoted version at once; without it the registry finds it on its next reload.</param>
    public ModelRetrainer(ModelStore store, ILogger logger, OnnxCreditModelRegistry? registry = null, TrainerOptions? trainerOptions = null)
    {
        _store = store;
        _logger = logger;
        _registry = registry;
        _trainerOptions = trainerOptions ?? new TrainerOptions();
    }

    public double MinimumAucGain { get; init; } = 0.0;

    /// <summary>Retrains <paramref name="modelId"/> from an outcomes CSV (its features and its label as columns, plus a row key such as customer_id).</summary>
    /// <exception cref="InvalidDataException">The outcomes file is unusable (the message lists refused rows by line).</exception>
    public Task<RetrainingResult> RetrainAsync(string modelId, string outcomesCsvPath, CancellationToken cancellationToken = default) =>
        Task.Run(() =>
        {
            using var reader = new StreamReader(outcomesCsvPath);
            return Retrain(modelId, reader);
        }, cancellationToken);

    public RetrainingResult Retrain(string modelId, TextReader outcomes) =>
        Retrain(modelId, card => TrainingCsv.Read(outcomes, card.Label, card.Features));

    /// <summary>
    /// Retrains <paramref name="modelId"/> on labelled rows the engine recorded: each row's features are
    /// <see cref="ModelFeatures.Names"/> in order, and its label is whether the application was funded, so only a model
    /// whose label is <see cref="FundedLabel"/> can learn from them.
    /// </summary>
    /// <exception cref="InvalidDataException">The model's label is not one recorded outcomes carry, or the rows cannot train it.</exception>
    public RetrainingResult Retrain(string modelId, IReadOnlyList<LabelledOutcome> outcomes) =>
        Retrain(modelId, card =>
        {
            if (card.Label != FundedLabel)
            {
                throw new InvalidDataException($"Model '{modelId}' predicts '{card.Label}'; recorded outcomes label only '{FundedLabel}' (funded or declined).");
            }

            if (card.Features.FirstOrDefault(feature => !ModelFeatures.IsCore(feature)) is { } own)
            {
                throw new InvalidDataException($"Model '{modelId}' takes the connector's column '{own}'; recorded outcomes carry the core fields only, so retrain it from a CSV of the bank's history.");
            }

            var usable = outcomes.Where(outcome => outcome.Features.Count == ModelFeatures.Names.Count).ToList();
            var data = new TrainingSet(card.Label, card.Features, LabelledOutcome.Rows(usable, card.Features), [.. usable.Select(outcome => outcome.Funded)], [.. usable.Select(outcome => outcome.CustomerId)]);
            var badRows = outcomes.Select((outcome, index) => (outcome, index))
                .Where(item => item.outcome.Features.Count != ModelFeatures.Names.Count)
                .Select(item => new BadRow(item.index + 1, $"recorded with {item.outcome.Features.Count} features, not {ModelFeatures.Names.Count}"))
                .ToList();
            return new TrainingCsvResult(data, badRows, null);
        });

    /// <summary>The label of an approval model: the outcome the engine records for each application.</summary>
    public const string FundedLabel = "approved";

    private RetrainingResult Retrain(string modelId, Func<ModelCard, TrainingCsvResult> readOutcomes)
    {
        var currentVersion = _store.ActiveVersion(modelId) ?? throw new ArgumentException($"No model '{modelId}' under {_store.Root} to retrain.", nameof(modelId));
        using var current = OnnxCreditModel.Load(_store.VersionFolder(modelId, currentVersion));
        var card = current.Card!;

        var read = readOutcomes(card);
        var data = read.Usable();
        var candidate = CreditModelTrainer.Train(data, modelId, _store.NextVersion(modelId), card.Role, _trainerOptions, read.BadRows.Count);

        var currentProbabilities = new float[candidate.HeldOut.Rows];
        current.Score(candidate.HeldOut.Values, candidate.HeldOut.Rows, currentProbabilities);
        var currentMetrics = ModelEvaluation.Evaluate([.. currentProbabilities.Select(p => (double)p)], candidate.HeldOut.Labels);
        var newMetrics = candidate.Card.Metrics;

        var better = newMetrics.Auc > currentMetrics.Auc + MinimumAucGain
            || newMetrics.Auc == currentMetrics.Auc && newMetrics.Brier < currentMetrics.Brier;
        var reason = $"held-out AUC {newMetrics.Auc:F4} vs {currentMetrics.Auc:F4}, Brier {newMetrics.Brier:F4} vs {currentMetrics.Brier:F4} on {candidate.HeldOut.Rows} rows";
        if (better)
        {
            _store.Add(candidate);
            if (_registry is not null)
            {
                _registry.Activate(modelId, candidate.Card.Version);
            }
            else
            {
                _store.Activate(modelId, candidate.Card.Version);
            }

            LogPromoted(_logger, modelId, candidate.Card.Version, currentVersion, reason);
        }
        else
        {
            LogKept(_logger, modelId, currentVersion, reason);
        }

        return new RetrainingResult(modelId, currentVersion, currentMetrics, candidate.Card, better, reason, read.BadRows);
    }

    [LoggerMessage(1, LogLevel.Information, "Retrained {ModelId}: promoted version {Version} over {PreviousVersion} ({Reason})")]
    private static partial void LogPromoted(ILogger logger, string modelId, string version, string previousVersion, string reason);

    [LoggerMessage(2, LogLevel.Information, "Retrained {ModelId}: kept version {Version}, the candidate was not better ({Reason})")]
    private static partial void LogKept(ILogger logger, string modelId, string version, string reason);
}
