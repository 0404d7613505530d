using System.Diagnostics;
using System.Threading.Channels;
using LoanOffers.Domain;
using Microsoft.Extensions.Options;

namespace LoanOffers.Scoring;

/// <summary>
/// Gathers concurrent score requests from customer grains into batches (up to <see cref="ScoringOptions.MaxBatchSize"/>
/// rows or <see cref="ScoringOptions.MaxWait"/>) and scores each batch with one call per model, on its own loop
/// so no grain turn runs model code for other grains. The approval call also measures, per customer, what each
/// feature cost the score against a typical applicant: the principal reasons of the decision.
/// </summary>
public sealed class BatchingCreditScoringService : ICreditScoringService, IAsyncDisposable
{
    private readonly ICreditModelRegistry _models;
    private readonly ScoringOptions _options;
    private readonly Channel<ScoreRequest> _requests = Channel.CreateUnbounded<ScoreRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    public BatchingCreditScoringService(ICreditModelRegistry models, IOptions<ScoringOptions> options)
    {
        _models = models;
        _options = options.Value;
        _loop = Task.Run(ScoreLoopAsync);
    }

    public ValueTask<ModelScores> ScoreAsync(CustomerProfile profile, ProgramConfig program, CancellationToken cancellationToken = default)
    {
        if (program.ScoringModels.Count < 2)
        {
            throw new ArgumentException($"Program '{program.ProgramId}' names {program.ScoringModels.Count} scoring models; an approval and a default-risk model are needed.", nameof(program));
        }

        var request = new ScoreRequest(profile, _models.Get(program.ScoringModels[0].ModelId), _models.Get(program.ScoringModels[1].ModelId));
        if (!_requests.Writer.TryWrite(request))
        {
            throw new ObjectDisposedException(nameof(BatchingCreditScoringService));
        }

        return new ValueTask<ModelScores>(request.Completion.Task.WaitAsync(cancellationToken));
    }

    private async Task ScoreLoopAsync()
    {
        var batch = new List<ScoreRequest>(_options.MaxBatchSize);
        while (await _requests.Reader.WaitToReadAsync())
        {
            var deadline = DateTime.UtcNow + _options.MaxWait;
            while (batch.Count < _options.MaxBatchSize)
            {
                if (_requests.Reader.TryRead(out var request))
                {
                    batch.Add(request);
                }
                else if (DateTime.UtcNow >= deadline || batch.Count == 0 && !await WaitBrieflyAsync(deadline))
                {
                    break;
                }
                else
                {
                    await Task.Yield();
                }
            }

            var started = Stopwatch.GetTimestamp();
            ScoreBatch(batch);
            ScoringMeters.BatchDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            ScoringMeters.BatchSize.Record(batch.Count);
            batch.Clear();
        }
    }

    private async Task<bool> WaitBrieflyAsync(DateTime deadline)
    {
        using var timeout = new CancellationTokenSource(deadline - DateTime.UtcNow);
        try
        {
            return await _requests.Reader.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
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
            for (var i = 0; i < batch.Count; i++)
            {
                var request = batch[i];
                request.Completion.TrySetResult(new ModelScores(
                    new ModelScore(request.ApprovalModel.ModelId, request.ApprovalModel.Version, approval[i]),
                    new ModelScore(request.DefaultModel.ModelId, request.DefaultModel.Version, risk[i]))
                {
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

    /// <summary>
    /// One model call per distinct model in the batch; returns each request's probability in batch order. With
    /// <paramref name="explained"/>, each customer's row is followed in the same call by one row per feature with that
    /// feature at the model's reference value, and the differences fill <paramref name="explained"/>.
    /// </summary>
    private static double[] ScoreWith(List<ScoreRequest> batch, Func<ScoreRequest, ICreditModel> modelOf, FeatureContribution[][]? explained)
    {
        var results = new double[batch.Count];
        foreach (var group in Enumerable.Range(0, batch.Count).GroupBy(i => modelOf(batch[i])))
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
                ModelFeatures.Extract(batch[indexes[customer]].Profile, model.Features, own);
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

    private sealed record ScoreRequest(CustomerProfile Profile, ICreditModel ApprovalModel, ICreditModel DefaultModel)
    {
        public TaskCompletionSource<ModelScores> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
