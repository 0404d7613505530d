using LoanOffers.Domain;
using Orleans;

namespace LoanOffers.Abstractions;

/// <summary>
/// A what-if run (key <c>programId/simulationId</c>): a proposed, unsaved program version and the live one, both decided
/// for the same customers of the live program's book, writing nothing to customers, the index or delivery.
/// </summary>
[Alias("loanoffers.ISimulationGrain")]
public interface ISimulationGrain : IGrainWithStringKey
{
    /// <summary>Starts the simulation; starting it again returns its progress.</summary>
    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<SimulationStatus> Start(SimulationRequest request);

    /// <summary>Its progress and funnels; null for a simulation never started.</summary>
    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<SimulationStatus?> GetStatus();
}

/// <summary>The proposed version, the live one it is compared with, and how many customers to sample (null: the whole book).</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.SimulationRequest")]
public sealed record SimulationRequest(ProgramConfig Proposed, ProgramConfig Live, int? Sample, string RequestedBy);

/// <summary>A what-if run's progress and the two funnels, with the proposed version's difference from the live one.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.SimulationStatus")]
public sealed record SimulationStatus
{
    [Id(0)] public required string SimulationId { get; init; }
    [Id(1)] public required string ProgramId { get; init; }
    [Id(2)] public required RunState State { get; init; }
    [Id(3)] public required int LiveVersion { get; init; }
    [Id(4)] public int? Sample { get; init; }
    [Id(5)] public int Total { get; init; }
    [Id(6)] public int Processed { get; init; }
    [Id(7)] public int Errors { get; init; }
    [Id(8)] public FunnelTally Proposed { get; init; } = FunnelTally.None;
    [Id(9)] public FunnelTally Live { get; init; } = FunnelTally.None;
    [Id(10)] public required DateTimeOffset StartedAt { get; init; }
    [Id(11)] public DateTimeOffset? CompletedAt { get; init; }
    [Id(12)] public string? LastError { get; init; }
    [Id(13)] public required string RequestedBy { get; init; }

    /// <summary>The proposed version's funnel less the live one's, on the same customers.</summary>
    public FunnelDifference Difference => Proposed.Minus(Live);
}

/// <summary>One customer decided under two program versions, for a what-if run; nothing is stored.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.SimulateCustomer")]
public sealed record SimulateCustomer(string SimulationId, ProgramConfig Proposed, ProgramConfig Live, CustomerProfile Profile, DateTimeOffset Now);

/// <summary>The two decisions of a what-if run for one customer, as the funnels count them.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.SimulatedDecisions")]
public sealed record SimulatedDecisions(CustomerDecision Proposed, CustomerDecision Live);
