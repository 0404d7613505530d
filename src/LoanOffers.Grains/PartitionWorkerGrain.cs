using System.Collections.Concurrent;
using System.Threading.Channels;
using LoanOffers.Abstractions;
using LoanOffers.Domain;
using LoanOffers.Storage.AzureTables;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Placement;
using Orleans.Runtime;

namespace LoanOffers.Grains;

/// <summary>
/// A silo's share of a run. The program grain places it on a chosen silo (a placement hint), feeds it partitions and
/// polls what it finished. Its pipeline runs off the grain's turns; a worker nobody polls for a while (its program
/// moved to another silo, say) stops by itself, so a superseded share never keeps evaluating.
/// </summary>
[GrainType(EngineNames.PartitionWorkerGrainType), RandomPlacement]
public sealed partial class PartitionWorkerGrain(
    PartitionEvaluator evaluator,
    IServiceProvider services,
    ILocalSiloDetails silo,
    TimeProvider time,
    ILogger<PartitionWorkerGrain> logger) : Grain, IPartitionWorkerGrain
{
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(2);

    private readonly Channel<AssignedPartition> _partitions = Channel.CreateUnbounded<AssignedPartition>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly ConcurrentQueue<PartitionReport> _finished = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _pipeline;

    /// <summary>Set once by the pipeline (off the grain's turns), read by polls: one reference, written and read whole.</summary>
    private volatile WorkerFailure? _failure;
    private long _lastPolled;

    public Task<SiloAddress> Start(PartitionWorkContext context)
    {
        if (_pipeline is null)
        {
            _lastPolled = time.GetTimestamp();
            _pipeline = Task.Run(() => RunAsync(context, _stop.Token));
            this.RegisterGrainTimer(StopIfAbandonedAsync, new GrainTimerCreationOptions(AbandonedAfter, AbandonedAfter));
        }

        return Task.FromResult(silo.SiloAddress);
    }

    public Task Add(IReadOnlyList<AssignedPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            _partitions.Writer.TryWrite(partition);
        }

        return Task.CompletedTask;
    }

    public Task<PartitionWorkerProgress> TakeProgress()
    {
        _lastPolled = time.GetTimestamp();
        var finished = new List<PartitionReport>();
        while (_finished.TryDequeue(out var report))
        {
            finished.Add(report);
        }

        var failure = _failure;
        return Task.FromResult(new PartitionWorkerProgress(_pipeline is not null, finished, failure?.Description, failure?.IsTransient ?? false));
    }

    public async Task Cancel()
    {
        await _stop.CancelAsync();
        _partitions.Writer.TryComplete();
        DeactivateOnIdle();
    }

    private async Task RunAsync(PartitionWorkContext context, CancellationToken cancellationToken)
    {
        try
        {
            var readAhead = services.GetGrainStateReadAhead(EngineNames.CustomerStore);
            await readAhead.RunAsync(
                _partitions.Reader.ReadAllAsync(cancellationToken).Select(partition => (partition.Position, partition.Customers)),
                CustomerGrains.IdOf,
                EngineNames.CustomerStateName,
                async (position, customers, token) => _finished.Enqueue(await evaluator.EvaluateAsync(position, customers, context, token)),
                prefetchConcurrency: context.PartitionConcurrency,
                workConcurrency: context.PartitionConcurrency,
                cancellationToken: cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception failure)
        {
            _failure = new WorkerFailure(StorageFaults.Describe(failure), StorageFaults.IsRetryableInBatch(failure));
            LogWorkerFailed(failure, context.Program.ProgramId, context.RunId);
        }
    }

    private async Task StopIfAbandonedAsync(CancellationToken cancellationToken)
    {
        if (time.GetElapsedTime(_lastPolled) > AbandonedAfter)
        {
            LogAbandoned(this.GetPrimaryKeyString());
            await Cancel();
        }
    }

    private sealed record WorkerFailure(string Description, bool IsTransient);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition worker of program {ProgramId} run {RunId} stopped")]
    private partial void LogWorkerFailed(Exception failure, string programId, string runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition worker {Worker} was not polled for a while; it stops")]
    private partial void LogAbandoned(string worker);
}
