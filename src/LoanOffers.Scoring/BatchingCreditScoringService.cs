using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using LoanOffers.Domain;
using Microsoft.Extensions.Options;

namespace LoanOffers.Scoring;

/// <summary>
/// Gathers concurrent score requests from customer grains into batches (up to <see cref="ScoringOptions.MaxBatchSize"/>
/// rows or <see cref="ScoringOptions.MaxWait"/>) and scores each batch with one call per model, on its own loop
/// so no grain turn runs model code for other grains. The approval call also measures, per customer, what each
/// feature cost the score against a typical applicant: the principal reasons of the decision. A program's challengers
/// are scored in the same batch as their champions.
/// </summary>
public sealed class BatchingCreditScoringService : ICreditScoringService, IAsyncDisposable
{
    private readonly ICreditModelRegistry _models;
    private readonly IFeatureSchemas _schemas;
    private readonly ScoringOptions _options;
    private readonly Channel<ScoreRequest> _requests = Channel.CreateUnbounded<ScoreRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    public BatchingCreditScoringService(ICreditModelRegistry models, IFeatureSchemas schemas, IOptions<ScoringOptions> options)
    {
        _models = models;
        _schemas = schemas;
        _options = options.Value;
        _loop = Task.Run(ScoreLoopAsync);
    }

    public async ValueTask<ModelScores> ScoreAsync(CustomerProfile profile, ProgramConfig program, CancellationToken cancellationToken = default)
    {
        var models = ModelsOf(program);
        var schema = profile.Extra is { } extra && models.UseOwnColumns ? await _schemas.GetAsync(extra.SchemaId, cancellationToken) : null;

        // Checked here, so a customer without a column fails alone rather than the batch it would have joined. A
        // challenger is never acted on: one that cannot score this customer is left out rather than failing it.
        IReadOnlyList<ICreditModel> champions = models.Risk is null ? [models.Approval] : [models.Approval, models.Risk];
        foreach (var model in champions)
        {
            if (Unsupplied(model, profile, schema) is { } missing)
            {
                throw new MissingFeatureException(missing);
            }
        }

        var request = new ScoreRequest(
            profile, schema, models.Approval, models.Risk,
            models.ApprovalChallenger is { } approvalChallenger && Unsupplied(approvalChallenger, profile, schema) is null ? approvalChallenger : null,
            models.RiskChallenger is { } riskChallenger && Unsupplied(riskChallenger, profile, schema) is null ? riskChallenger : null);
        if (!_requests.Writer.TryWrite(request))
        {
            throw new ObjectDisposedException(nameof(BatchingCreditScoringService));
        }

        return await request.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>The first of the model's own-column features this customer lacks; null when it has them all.</summary>
    private static string? Unsupplied(ICreditModel model, CustomerProfile profile, FeatureSchema? schema)
    {
        foreach (var column in OwnColumnsOf(model))
        {
            if (profile.Extra is null || schema is null || schema.PositionOf(column) < 0)
            {
                return column;
            }
        }

        return null;
    }

    /// <summary>A model's features that are the connector's own columns, worked out once per model rather than per customer.</summary>
    private static string[] OwnColumnsOf(ICreditModel model) =>
        OwnColumns.GetValue(model, static model => [.. model.Features.Where(feature => !ModelFeatures.IsCore(feature))]);

    private static readonly ConditionalWeakTable<ICreditModel, string[]> OwnColumns = [];

    /// <summary>
    /// The program's models by the role each one's card gives (exactly one approval model, at most one default-risk
    /// model), and the challenger each names, when it is served and plays the same role.
    /// </summary>
    private ProgramModels ModelsOf(ProgramConfig program)
    {
        (ScoringModelConfig Configured, ICreditModel Model)? approval = null, risk = null;
        int approvals = 0, risks = 0;
        foreach (var configured in program.ScoringModels)
        {
            var model = _models.Get(configured.ModelId);
            if (model.Role == ModelRoles.Approval)
            {
                approval = (configured, model);
                approvals++;
            }
            else if (model.Role == ModelRoles.DefaultRisk)
            {
                risk = (configured, model);
                risks++;
            }
        }

        if (approval is not { } champion || approvals != 1 || risks > 1)
        {
            throw new ArgumentException(
                $"Program '{program.ProgramId}' has {approvals} approval and {risks} default-risk models; it needs exactly one approval model and at most one default-risk model.",
                nameof(program));
        }

        return new ProgramModels(champion.Model, risk?.Model, ChallengerOf(champion), risk is { } riskChampion ? ChallengerOf(riskChampion) : null);
    }

    private ICreditModel? ChallengerOf((ScoringModelConfig Configured, ICreditModel Model) champion) =>
        champion.Configured.Challenger is { } challengerId && _models.Find(challengerId) is { } challenger && challenger.Role == champion.Model.Role
            ? challenger
            : null;

    private sealed record ProgramModels(ICreditModel Approval, ICreditModel? Risk, ICreditModel? ApprovalChallenger, ICreditModel? RiskChallenger)
    {
        /// <summary>Whether any of them takes the connector's own columns, so the customer's schema must be looked up.</summary>
        public bool UseOwnColumns => OwnColumnsOf(Approval).Length > 0 || Risk is { } risk && OwnColumnsOf(risk).Length > 0
            || ApprovalChallenger is { } approvalChallenger && OwnColumnsOf(approvalChallenger).Length > 0
            || RiskChallenger is { } riskChallenger && OwnColumnsOf(riskChallenger).Length > 0;
    }

    private async Task ScoreLoopAsync()
    {
        var batch = new List<ScoreRequest>(_options.MaxBatchSize);
        while (await _requests.Reader.WaitToReadAsync())
        {
            await GatherAsync(batch);
            var started = Stopwatch.GetTimestamp();
            ScoreBatch(batch);
            ScoringMeters.BatchDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            ScoringMeters.BatchSize.Record(batch.Count);
            batch.Clear();
        }
    }

    /// <summary>
    /// Fills the batch until it is full or <see cref="ScoringOptions.MaxWait"/> has passed, sleeping until the next
    /// request arrives rather than polling: polling takes a core from the evaluations (and, on a small machine, the
    /// storage) that send the requests it waits for.
    /// </summary>
    private async Task GatherAsync(List<ScoreRequest> batch)
    {
        using var window = new CancellationTokenSource(_options.MaxWait);
        while (true)
        {
            while (batch.Count < _options.MaxBatchSize && _requests.Reader.TryRead(out var request))
            {
                batch.Add(request);
            }

            if (batch.Count == _options.MaxBatchSize)
            {
                return;
            }

            try
            {
                if (!await _requests.Reader.WaitToReadAsync(window.Token))
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static void ScoreBatch(List<ScoreRequest> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            var contributions = new FeatureContribution[batch.Count][];
            var approval = ScoreWith(batch, request => request.ApprovalModel, contributions);
            var risk = ScoreWith(batch, request => request.DefaultModel, explained: null);
            var approvalChallenger = ScoreWith(batch, request => request.ApprovalChallenger, explained: null);
            var riskChallenger = ScoreWith(batch, request => request.DefaultChallenger, explained: null);
            for (var i = 0; i < batch.Count; i++)
            {
                var request = batch[i];
                request.Completion.TrySetResult(new ModelScores(
                    new ModelScore(request.ApprovalModel.ModelId, request.ApprovalModel.Version, approval[i]),
                    ScoreOf(request.DefaultModel, risk[i]))
                {
                    ApprovalChallenger = ScoreOf(request.ApprovalChallenger, approvalChallenger[i]),
                    DefaultChallenger = ScoreOf(request.DefaultChallenger, riskChallenger[i]),
                    ApprovalContributions = contributions[i],
                });
            }
        }
        catch (Exception failure)
        {
            foreach (var request in batch)
            {
                request.Completion.TrySetException(failure);
            }
        }
    }

    private static ModelScore? ScoreOf(ICreditModel? model, double score) => model is null ? null : new ModelScore(model.ModelId, model.Version, score);

    /// <summary>
    /// One model call per distinct model in the batch; returns each request's probability in batch order (NaN for a
    /// request without such a model). With
    /// <paramref name="explained"/>, each customer's row is followed in the same call by one row per feature with that
    /// feature at the model's reference value, and the differences fill <paramref name="explained"/>.
    /// </summary>
    private static double[] ScoreWith(List<ScoreRequest> batch, Func<ScoreRequest, ICreditModel?> modelOf, FeatureContribution[][]? explained)
    {
        var results = new double[batch.Count];
        Array.Fill(results, double.NaN);
        foreach (var group in Enumerable.Range(0, batch.Count).Where(i => modelOf(batch[i]) is not null).GroupBy(i => modelOf(batch[i])!))
        {
            var model = group.Key;
            var indexes = group.ToArray();
            var width = model.Features.Count;
            var rowsPerCustomer = explained is null ? 1 : 1 + width;
            var rows = indexes.Length * rowsPerCustomer;
            var features = new float[rows * width];
            for (var customer = 0; customer < indexes.Length; customer++)
            {
                var own = features.AsSpan(customer * rowsPerCustomer * width, width);
                ModelFeatures.Extract(batch[indexes[customer]].Profile, batch[indexes[customer]].Schema, model.Features, own);
                for (var feature = 0; feature < rowsPerCustomer - 1; feature++)
                {
                    var varied = features.AsSpan((customer * rowsPerCustomer + 1 + feature) * width, width);
                    own.CopyTo(varied);
                    varied[feature] = model.FeatureReferences[feature];
                }
            }

            var probabilities = new float[rows];
            model.Score(features, rows, probabilities);
            for (var customer = 0; customer < indexes.Length; customer++)
            {
                var score = probabilities[customer * rowsPerCustomer];
                results[indexes[customer]] = score;
                if (explained is not null)
                {
                    explained[indexes[customer]] = [.. Enumerable.Range(0, width)
                        .Select(feature => new FeatureContribution(model.Features[feature], Math.Round(probabilities[customer * rowsPerCustomer + 1 + feature] - score, 6)))
                        .OrderByDescending(contribution => contribution.ScoreLoss)];
                }
            }
        }

        return results;
    }

    public async ValueTask DisposeAsync()
    {
        _requests.Writer.TryComplete();
        await _loop;
    }

    private sealed record ScoreRequest(
        CustomerProfile Profile, FeatureSchema? Schema, ICreditModel ApprovalModel, ICreditModel? DefaultModel, ICreditModel? ApprovalChallenger, ICreditModel? DefaultChallenger)
    {
        public TaskCompletionSource<ModelScores> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
