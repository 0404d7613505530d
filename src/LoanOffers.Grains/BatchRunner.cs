using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
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
/// One batch run: ingest the program's customers, then walk them a storage partition at a time (partitions read
/// ahead, the partition's customers evaluated together so their rows leave in shared transactions), write the
/// candidate index, and yield a checkpoint every few partitions for the program grain to persist. Resuming from a
/// checkpoint skips the partitions it counts as done; customers of a partition redone after a crash return the
/// decision they stored for this run.
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

        // A chunk's index rows are written while the next chunk is evaluated; its checkpoint, with the counters as
        // they stood at the end of that chunk, is handed out only once those rows are stored.
        var done = run.PartitionsDone;
        (Task IndexWrite, RunStatus Checkpoint)? pending = null;
        while (done < partitions.Count)
        {
            var chunk = partitions.Skip(done).Take(options.Value.PartitionsPerCheckpoint).ToList();
            var upserts = new ConcurrentBag<CandidateEntry>();
            var removals = new ConcurrentBag<CandidateEntry>();
            await Task.Run(
                () => readAhead.RunAsync(
                    chunk,
                    CustomerGrainId,
                    EngineNames.CustomerStateName,
                    (partition, _) => EvaluatePartitionAsync(partition, program, run.RunId, asOf, live, upserts, removals),
                    workConcurrency: options.Value.PartitionConcurrency,
                    cancellationToken: cancellationToken),
                cancellationToken);

            done += chunk.Count;
            live.Update(status => status with { PartitionsDone = done });
            var indexWrite = Task.Run(() => index.WriteAsync(upserts, removals, cancellationToken), cancellationToken);
            if (pending is { } previous)
            {
                await previous.IndexWrite;
                yield return previous.Checkpoint;
            }

            pending = (indexWrite, live.Snapshot());
        }

        if (pending is { } last)
        {
            await last.IndexWrite;
            yield return last.Checkpoint;
        }
    }

    private async Task EvaluatePartitionAsync(
        List<CustomerProfile> partition, ProgramConfig program, string runId, DateTimeOffset asOf, LiveProgress live,
        ConcurrentBag<CandidateEntry> upserts, ConcurrentBag<CandidateEntry> removals)
    {
        await Task.WhenAll(partition.Select(async profile =>
        {
            try
            {
                var evaluation = await grains.GetGrain<ICustomerGrain>(profile.CustomerId).Evaluate(new EvaluateCustomer(runId, program, profile, asOf));
                live.Record(evaluation);
                // Upserts are idempotent, so a partition redone after a crash re-indexes decisions it had stored.
                if (evaluation.Candidate is { } candidate)
                {
                    upserts.Add(candidate);
                }

                if (evaluation.ReplacedCandidate is { } replaced)
                {
                    removals.Add(replaced);
                }
            }
            catch (Exception failure)
            {
                // One customer's failure is counted and reported; the run goes on with the others.
                LogCustomerFailed(failure, profile.CustomerId, runId);
                live.RecordError($"{profile.CustomerId}: {failure.GetType().Name}: {failure.Message}");
            }
        }));
    }

    private static GrainId CustomerGrainId(CustomerProfile profile) => GrainId.Create(EngineNames.CustomerGrainType, profile.CustomerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Program {ProgramId} run {RunId}: ingested {Count} customers ({BadRows} bad rows) in {Partitions} storage partitions; resuming after {Done}")]
    private partial void LogIngested(string programId, string runId, int count, int badRows, int partitions, int done);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Customer {CustomerId} failed in run {RunId}")]
    private partial void LogCustomerFailed(Exception failure, string customerId, string runId);
}
