using System.Threading.Channels;
using LoanOffers.Domain;
using Microsoft.Extensions.Options;

namespace LoanOffers.Scoring;

/// <summary>
/// Gathers concurrent score requests from customer grains into batches (up to <see cref="ScoringOptions.MaxBatchSize"/>
/// rows or <see cref="ScoringOptions.MaxWait"/>) and scores each batch with one call per model, on its own loop
/// so no grain turn runs model code for other grains.
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

            ScoreBatch(batch);
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
            var approval = ScoreWith(batch, request => request.ApprovalModel);
            var risk = ScoreWith(batch, request => request.DefaultModel);
            for (var i = 0; i < batch.Count; i++)
            {
                var request = batch[i];
                request.Completion.TrySetResult(new ModelScores(
                    new ModelScore(request.ApprovalModel.ModelId, request.ApprovalModel.Version, approval[i]),
                    new ModelScore(request.DefaultModel.ModelId, request.DefaultModel.Version, risk[i])));
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

    /// <summary>One model call per distinct model in the batch; returns each request's probability in batch order.</summary>
    private static double[] ScoreWith(List<ScoreRequest> batch, Func<ScoreRequest, ICreditModel> modelOf)
    {
        var results = new double[batch.Count];
        foreach (var group in Enumerable.Range(0, batch.Count).GroupBy(i => modelOf(batch[i])))
        {
            var model = group.Key;
            var indexes = group.ToArray();
            var width = model.Features.Count;
            var features = new float[indexes.Length * width];
            for (var row = 0; row < indexes.Length; row++)
            {
                ModelFeatures.Extract(batch[indexes[row]].Profile, model.Features, features.AsSpan(row * width, width));
            }

            var probabilities = new float[indexes.Length];
            model.Score(features, indexes.Length, probabilities);
            for (var row = 0; row < indexes.Length; row++)
            {
                results[indexes[row]] = probabilities[row];
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
