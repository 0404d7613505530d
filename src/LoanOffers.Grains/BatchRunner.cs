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
using Orleans.Runtime.Placement;

namespace LoanOffers.Grains;

/// <summary>
/// One batch run, spread over the cluster: ingest the program's customers and group them by storage partition, then
/// hand the partitions out to a worker on every live silo (<see cref="PartitionWorkerGrain"/>), which reads its
/// partitions ahead and evaluates them on its own silo. Workers are kept a few partitions ahead and polled for what
/// they finished; partitions finish out of order, and each time every partition before a point is done a checkpoint
/// counting exactly those partitions is yielded for the program grain to persist. A silo that leaves the cluster
/// takes only its unreported partitions with it: they go to the survivors, and customers it had already evaluated
/// return the decision they stored for this run.
/// </summary>
public sealed partial class BatchRunner(
    IGrainFactory grains,
    IServiceProvider services,
    CustomerSource source,
    FeatureSchemas schemas,
    FirmOfferRecordStore records,
    ISiloStatusOracle silos,
    TimeProvider time,
    IOptions<EngineOptions> options,
    ILogger<BatchRunner> logger)
{
    private const int BadRowsKept = 100;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    public async IAsyncEnumerable<RunStatus> RunAsync(ProgramConfig program, LiveProgress live, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var run = live.Snapshot();
        var asOf = run.ScheduledFor ?? run.StartedAt;
        var partitions = await IngestAsync(program, run, asOf, live, cancellationToken);

        var checkpoints = Channel.CreateUnbounded<RunStatus>(new UnboundedChannelOptions { SingleReader = true });
        var watermark = new PartitionWatermark(live, partitions.Count, options.Value.PartitionsPerCheckpoint, checkpoints.Writer);
        var shares = new WorkerShares(program, run.RunId, asOf, partitions, run.PartitionsDone, options.Value.PartitionConcurrency, grains, this);
        try
        {
            while (!shares.AllDone)
            {
                await shares.RebalanceAsync(silos.GetActiveSilos());
                foreach (var report in await shares.PollAsync())
                {
                    live.Add(report);
                    watermark.Finish(report);
                }

                while (checkpoints.Reader.TryRead(out var checkpoint))
                {
                    yield return checkpoint;
                }

                if (!shares.AllDone)
                {
                    await Task.Delay(PollInterval, time, cancellationToken);
                }
            }

            while (checkpoints.Reader.TryRead(out var checkpoint))
            {
                yield return checkpoint;
            }
        }
        finally
        {
            // Finished, paused or deactivating: no worker of this attempt goes on; a resumed run hands out afresh.
            await shares.CancelAllAsync();
        }
    }

    /// <summary>
    /// Reads the program's customers and groups them by storage partition. Only the partitions are kept: the run
    /// drops each partition's profiles once it is done, so the book is not held whole for the length of the run.
    /// </summary>
    private async Task<List<List<CustomerProfile>>> IngestAsync(ProgramConfig program, RunStatus run, DateTimeOffset asOf, LiveProgress live, CancellationToken cancellationToken)
    {
        var ingest = await Task.Run(() => source.Load(program, asOf), cancellationToken);
        if (ingest.Schema is { } schema)
        {
            await schemas.RegisterAsync(schema);
        }

        await records.KeepCriteriaAsync(program, asOf, cancellationToken);
        var readAhead = services.GetGrainStateReadAhead(EngineNames.CustomerStore);
        var partitions = await Task.Run(() => readAhead.GroupByPartition(ingest.Profiles, CustomerGrains.IdOf), cancellationToken);
        live.Update(status => status with
        {
            Total = ingest.Profiles.Count,
            PartitionsTotal = partitions.Count,
            BadRowCount = ingest.BadRows.Count,
            BadRows = ingest.BadRows.Take(BadRowsKept).ToList(),
        });
        LogIngested(program.ProgramId, run.RunId, ingest.Profiles.Count, ingest.BadRows.Count, partitions.Count, run.PartitionsDone);
        return partitions;
    }

    /// <summary>The workers of one attempt at a run: which silo has which partitions outstanding, and what is left.</summary>
    private sealed class WorkerShares(
        ProgramConfig program,
        string runId,
        DateTimeOffset asOf,
        List<List<CustomerProfile>> partitions,
        int alreadyDone,
        int partitionConcurrency,
        IGrainFactory grains,
        BatchRunner runner)
    {
        private readonly string _attempt = Guid.NewGuid().ToString("N")[..8];
        private readonly SortedSet<int> _pending = [.. Enumerable.Range(alreadyDone, partitions.Count - alreadyDone)];
        private readonly Dictionary<SiloAddress, Share> _shares = [];
        private int _workersStarted;

        public bool AllDone => _pending.Count == 0 && _shares.Values.All(share => share.Outstanding.Count == 0);

        /// <summary>Hands a departed silo's outstanding partitions back, starts workers on new silos, and tops every worker up.</summary>
        public async Task RebalanceAsync(SiloAddress[] active)
        {
            foreach (var departed in _shares.Keys.Where(silo => !active.Contains(silo)).ToList())
            {
                Requeue(departed, "left the cluster");
            }

            var concurrency = Math.Max(1, (int)Math.Ceiling(partitionConcurrency / (double)active.Length));
            foreach (var silo in active.Where(silo => !_shares.ContainsKey(silo)))
            {
                if (_pending.Count == 0)
                {
                    break;
                }

                var worker = grains.GetGrain<IPartitionWorkerGrain>($"{program.ProgramId}/{runId}/{_attempt}/{++_workersStarted}");
                SiloAddress? host = null;
                if (!await runner.TryCallAsync(silo, async () => host = await StartOn(silo, worker, concurrency)))
                {
                    continue;
                }

                if (host == silo)
                {
                    _shares[silo] = new Share(worker, concurrency);
                    runner.LogShareStarted(program.ProgramId, runId, silo, concurrency);
                }
                else
                {
                    // The hint is honoured only once this silo knows the other can host workers (a silo that just
                    // joined); until then the worker landed elsewhere, so it stops and the next round tries again.
                    await runner.TryCallAsync(silo, worker.Cancel);
                }
            }

            foreach (var (silo, share) in _shares.ToList())
            {
                var room = share.Concurrency * 2 - share.Outstanding.Count;
                var next = _pending.Take(Math.Max(0, room)).ToList();
                if (next.Count == 0)
                {
                    continue;
                }

                if (await runner.TryCallAsync(silo, () => share.Worker.Add(next.Select(position => new AssignedPartition(position, partitions[position])).ToList())))
                {
                    _pending.ExceptWith(next);
                    share.Outstanding.UnionWith(next);
                }
            }
        }

        /// <summary>The partitions every worker finished since the last poll; a worker that lost its run is replaced.</summary>
        public async Task<List<PartitionReport>> PollAsync()
        {
            var polls = _shares.Select(async pair => (Silo: pair.Key, Share: pair.Value, Progress: await runner.TryPollAsync(pair.Key, pair.Value.Worker))).ToList();
            var finished = new List<PartitionReport>();
            foreach (var (silo, share, progress) in await Task.WhenAll(polls))
            {
                if (progress is null)
                {
                    continue;
                }

                foreach (var report in progress.Finished.Where(report => share.Outstanding.Remove(report.Position)))
                {
                    // A reported partition is never handed out again in this attempt (a resumed run ingests afresh).
                    partitions[report.Position] = [];
                    finished.Add(report);
                }

                if (progress.Failure is { } failure)
                {
                    throw progress.FailureIsTransient
                        ? new StorageUnavailableException($"{failure} (partition worker on {silo})")
                        : new InvalidOperationException($"{failure} (partition worker on {silo})");
                }

                if (!progress.Known)
                {
                    Requeue(silo, "lost its worker");
                }
            }

            return finished;
        }

        public Task CancelAllAsync() => Task.WhenAll(_shares.Select(pair => runner.TryCallAsync(pair.Key, pair.Value.Worker.Cancel)));

        private async Task<SiloAddress> StartOn(SiloAddress silo, IPartitionWorkerGrain worker, int concurrency)
        {
            // The hint places the worker's activation on that silo (honoured while the silo is active).
            RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
            try
            {
                return await worker.Start(new PartitionWorkContext(runId, program, asOf, concurrency));
            }
            finally
            {
                RequestContext.Remove(IPlacementDirector.PlacementHintKey);
            }
        }

        private void Requeue(SiloAddress silo, string why)
        {
            var share = _shares[silo];
            _shares.Remove(silo);
            _pending.UnionWith(share.Outstanding);
            runner.LogShareHandedBack(program.ProgramId, runId, silo, why, share.Outstanding.Count);
        }
    }

    private sealed record Share(IPartitionWorkerGrain Worker, int Concurrency)
    {
        public SortedSet<int> Outstanding { get; } = [];
    }

    /// <summary>Calls a worker; a failure while its silo is going away is left to the next rebalance to notice.</summary>
    private async Task<bool> TryCallAsync(SiloAddress silo, Func<Task> call)
    {
        try
        {
            await call();
            return true;
        }
        catch (Exception failure) when (StorageFaults.IsTransient(failure))
        {
            LogWorkerUnreachable(silo, StorageFaults.Describe(failure));
            return false;
        }
    }

    private async Task<PartitionWorkerProgress?> TryPollAsync(SiloAddress silo, IPartitionWorkerGrain worker)
    {
        PartitionWorkerProgress? progress = null;
        return await TryCallAsync(silo, async () => progress = await worker.TakeProgress()) ? progress : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Program {ProgramId} run {RunId}: ingested {Count} customers ({BadRows} bad rows) in {Partitions} storage partitions; resuming after {Done}")]
    private partial void LogIngested(string programId, string runId, int count, int badRows, int partitions, int done);

    [LoggerMessage(Level = LogLevel.Information, Message = "Program {ProgramId} run {RunId}: a partition worker on {Silo} takes {Concurrency} partitions at once")]
    private partial void LogShareStarted(string programId, string runId, SiloAddress silo, int concurrency);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Program {ProgramId} run {RunId}: silo {Silo} {Why}; its {Count} unfinished partitions go to the others")]
    private partial void LogShareHandedBack(string programId, string runId, SiloAddress silo, string why, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Partition worker on {Silo} did not answer: {Reason}")]
    private partial void LogWorkerUnreachable(SiloAddress silo, string reason);
}

/// <summary>
/// Tracks which partitions are done and how far from the start they are done without a gap. Partitions are counted
/// into the durable view only as that point passes them, and every <c>partitionsPerCheckpoint</c> of them (and at
/// the end) a checkpoint of exactly the counted partitions is handed on, so a resumed run never counts a customer twice.
/// A partition reported twice (handed out again after its silo seemed lost) counts once.
/// </summary>
internal sealed class PartitionWatermark
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, PartitionReport> _aheadOfWatermark = [];
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

    public void Finish(PartitionReport report)
    {
        lock (_gate)
        {
            if (report.Position < _done || !_aheadOfWatermark.TryAdd(report.Position, report))
            {
                return;
            }

            while (_aheadOfWatermark.Remove(_done, out var next))
            {
                _durable.Add(next);
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
