using LoanOffers.Domain;
using Orleans;
using Orleans.Runtime;

namespace LoanOffers.Abstractions;

/// <summary>
/// One silo's share of a batch run: it reads its storage partitions ahead on its own silo and evaluates their
/// customers there, reporting each finished partition; the program grain hands out the partitions and keeps the
/// checkpoint. Nothing here is durable: a worker lost with its silo is replaced and its partitions handed out again.
/// </summary>
[Alias("loanoffers.IPartitionWorkerGrain")]
public interface IPartitionWorkerGrain : IGrainWithStringKey
{
    /// <summary>Starts the worker for a run (calling it again changes nothing) and says which silo it runs on.</summary>
    Task<SiloAddress> Start(PartitionWorkContext context);

    /// <summary>Queues more partitions for the started worker.</summary>
    Task Add(IReadOnlyList<AssignedPartition> partitions);

    /// <summary>The partitions finished since the last call, and whether the worker still knows its run.</summary>
    Task<PartitionWorkerProgress> TakeProgress();

    /// <summary>Stops the worker; partitions it has not reported are the caller's to hand out again.</summary>
    Task Cancel();
}

/// <summary>What every partition of a run is evaluated against.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.PartitionWorkContext")]
public sealed record PartitionWorkContext(string RunId, ProgramConfig Program, DateTimeOffset AsOf, int PartitionConcurrency);

/// <summary>A storage partition's customers and the partition's position in the run.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.AssignedPartition")]
public sealed record AssignedPartition(int Position, IReadOnlyList<CustomerProfile> Customers);

/// <summary>The counters of one finished partition, as the run report adds them up.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.PartitionReport")]
public sealed record PartitionReport(
    int Position,
    int Processed,
    int Offered,
    int NoOffer,
    int OffersMade,
    int Errors,
    int Replayed,
    IReadOnlyDictionary<string, int> RejectedByFilter,
    IReadOnlyDictionary<string, int> OffersByTier,
    string? LastError)
{
    /// <summary>Customers whose live offers the run withdrew.</summary>
    [Id(10)] public int Withdrawn { get; init; }

    /// <summary>The partition's customers by age band and state (<see cref="FairnessGroups"/>).</summary>
    [Id(11)] public IReadOnlyDictionary<string, GroupOutcomes> Groups { get; init; } = new Dictionary<string, GroupOutcomes>();

    /// <summary>Each role's champion against its challenger over the partition's customers, by role.</summary>
    [Id(12)] public IReadOnlyDictionary<string, ChallengerTally> Challengers { get; init; } = new Dictionary<string, ChallengerTally>();
}

/// <summary>
/// A worker's answer to a poll: finished partitions, and a failure that stopped it (transient ones pause the run).
/// <see cref="Known"/> is false when the worker has no run: its activation is new, so its earlier work is lost.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.PartitionWorkerProgress")]
public sealed record PartitionWorkerProgress(bool Known, IReadOnlyList<PartitionReport> Finished, string? Failure, bool FailureIsTransient);
