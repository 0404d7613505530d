using System.Runtime.CompilerServices;
using System.Threading.Channels;
using LoanOffers.Abstractions;
using LoanOffers.Domain;
using LoanOffers.Storage.AzureTables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Hosting;
using Orleans.Runtime;

namespace LoanOffers.Grains;

/// <summary>
/// One batch run: ingest the program's customers, then walk them a storage partition at a time in one continuous
/// pipeline: partitions are read ahead, a partition's customers are evaluated together (so their rows leave in shared
/// transactions), then its candidate-index rows are written. Partitions finish out of order; each time every
/// partition before a point is done, a checkpoint counting exactly those partitions is yielded for the program grain
/// to persist, while the pipeline goes on. Resuming from a checkpoint skips the partitions it counts as done;
/// customers of a partition redone after a crash return the decision they stored for this run.
/// </summary>
public sealed partial class BatchRunner(
    IGrainFactory grains,
    IServiceProvider services,
    CustomerSource source,
    CandidateIndex index,
    IOptions<EngineOptions> options,
    ILogger<BatchRunner> logger)
{
    private const int BadRowsKept = 100;

    public async IAsyncEnumerable<RunStatus> RunAsync(ProgramConfig program, LiveProgress live, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var run = live.Snapshot();
        var asOf = run.ScheduledFor ?? run.StartedAt;
        var ingest = await Task.Run(() => source.Load(program, asOf), cancellationToken);
        var readAhead = services.GetGrainStateReadAhead(EngineNames.CustomerStore);
        var partitions = await Task.Run(() => readAhead.GroupByPartition(ingest.Profiles, CustomerGrainId), cancellationToken);
        live.Update(status => status with
        {
            Total = ingest.Profiles.Count,
            PartitionsTotal = partitions.Count,
            BadRowCount = ingest.BadRows.Count,
            BadRows = ingest.BadRows.Take(BadRowsKept).ToList(),
        });
        LogIngested(program.ProgramId, run.RunId, ingest.Profiles.Count, ingest.BadRows.Count, partitions.Count, run.PartitionsDone);

        var checkpoints = Channel.CreateUnbounded<RunStatus>(new UnboundedChannelOptions { SingleReader = true });
        var watermark = new PartitionWatermark(live, partitions.Count, options.Value.PartitionsPerCheckpoint, checkpoints.Writer);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pipeline = Task.Run(async () =>
        {
            try
            {
                await readAhead.RunAsync(
                    partitions.Skip(run.PartitionsDone).ToList(),
                    CustomerGrainId,
                    EngineNames.CustomerStateName,
                    async (position, partition, token) => watermark.Finish(run.PartitionsDone + position, await EvaluatePartitionAsync(partition, program, run.RunId, asOf, live, token)),
                    workConcurrency: options.Value.PartitionConcurrency,
                    cancellationToken: stop.Token);
                checkpoints.Writer.TryComplete();
            }
            catch (Exception failure)
            {
                checkpoints.Writer.TryComplete(failure);
            }
        }, CancellationToken.None);

        try
        {
            await foreach (var checkpoint in checkpoints.Reader.ReadAllAsync(cancellationToken))
            {
                yield return checkpoint;
            }
        }
        finally
        {
            // Stopped early (deactivation or failure): the pipeline stops too, and its partitions wait for the resume.
            await stop.CancelAsync();
            await pipeline;
        }
    }

    /// <summary>Evaluates a partition's customers, then writes their candidate-index rows; only then is the partition done.</summary>
    private async Task<CustomerResult[]> EvaluatePartitionAsync(
        List<CustomerProfile> partition, ProgramConfig program, string runId, DateTimeOffset asOf, LiveProgress live, CancellationToken cancellationToken)
    {
        var results = new CustomerResult[partition.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, partition.Count),
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.EvaluationsPerPartition },
            async (position, _) =>
            {
                var profile = partition[position];
                try
                {
                    var evaluation = await grains.GetGrain<ICustomerGrain>(profile.CustomerId).Evaluate(new EvaluateCustomer(runId, program, profile, asOf));
                    live.Record(evaluation);
                    results[position] = new CustomerResult(evaluation, null);
                }
                catch (Exception failure) when (!StorageFaults.IsRetryableInBatch(failure))
                {
                    // One customer's lasting failure is counted and reported; the run goes on with the others. A
                    // transient one stops the partition instead, so the run pauses and redoes it from its checkpoint.
                    LogCustomerFailed(failure, profile.CustomerId, runId);
                    var error = $"{profile.CustomerId}: {StorageFaults.Describe(failure)}";
                    live.RecordError(error);
                    results[position] = new CustomerResult(null, error);
                }
            });

        // Upserts are idempotent, so a partition redone after a crash re-indexes decisions it had stored.
        var evaluations = results.Select(result => result.Evaluation).OfType<CustomerEvaluation>().ToList();
        await index.WriteAsync(
            evaluations.Select(evaluation => evaluation.Candidate).OfType<CandidateEntry>().ToList(),
            evaluations.Select(evaluation => evaluation.ReplacedCandidate).OfType<CandidateEntry>().ToList(),
            cancellationToken);
        return results;
    }

    private static GrainId CustomerGrainId(CustomerProfile profile) => GrainId.Create(EngineNames.CustomerGrainType, profile.CustomerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Program {ProgramId} run {RunId}: ingested {Count} customers ({BadRows} bad rows) in {Partitions} storage partitions; resuming after {Done}")]
    private partial void LogIngested(string programId, string runId, int count, int badRows, int partitions, int done);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Customer {CustomerId} failed in run {RunId}")]
    private partial void LogCustomerFailed(Exception failure, string customerId, string runId);
}

/// <summary>One customer's evaluation in a run, or the error that stopped it.</summary>
internal sealed record CustomerResult(CustomerEvaluation? Evaluation, string? Error);

/// <summary>
/// Tracks which partitions are done and how far from the start they are done without a gap. Partitions are counted
/// into the durable view only as that point passes them, and every <c>partitionsPerCheckpoint</c> of them (and at
/// the end) a checkpoint of exactly the counted partitions is handed on, so a resumed run never counts a customer twice.
/// </summary>
internal sealed class PartitionWatermark
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, CustomerResult[]> _aheadOfWatermark = [];
    private readonly LiveProgress _live;
    private readonly LiveProgress _durable;
    private readonly int _total;
    private readonly int _partitionsPerCheckpoint;
    private readonly ChannelWriter<RunStatus> _checkpoints;
    private int _done;
    private int _sinceCheckpoint;

    public PartitionWatermark(LiveProgress live, int total, int partitionsPerCheckpoint, ChannelWriter<RunStatus> checkpoints)
    {
        var start = live.Snapshot();
        _live = live;
        _durable = new LiveProgress(start);
        _done = start.PartitionsDone;
        _total = total;
        _partitionsPerCheckpoint = partitionsPerCheckpoint;
        _checkpoints = checkpoints;
    }

    public void Finish(int position, CustomerResult[] results)
    {
        lock (_gate)
        {
            _aheadOfWatermark.Add(position, results);
            while (_aheadOfWatermark.Remove(_done, out var next))
            {
                foreach (var result in next)
                {
                    if (result.Evaluation is { } evaluation)
                    {
                        _durable.Record(evaluation);
                    }
                    else if (result.Error is { } error)
                    {
                        _durable.RecordError(error);
                    }
                }

                _done++;
                _sinceCheckpoint++;
            }

            if (_sinceCheckpoint >= _partitionsPerCheckpoint || (_done == _total && _sinceCheckpoint > 0))
            {
                _live.Update(status => status with { PartitionsDone = _done });
                _checkpoints.TryWrite(_durable.Snapshot() with { PartitionsDone = _done });
                _sinceCheckpoint = 0;
            }
        }
    }
}
