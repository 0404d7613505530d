using LoanOffers.Domain;
using Orleans;

namespace LoanOffers.Abstractions;

/// <summary>A lending program: its configuration, schedule and batch runs.</summary>
[Alias("loanoffers.IProgramGrain")]
public interface IProgramGrain : IGrainWithStringKey
{
    /// <summary>Stores a new configuration as the next version and (re)arms the schedule.</summary>
    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<ProgramConfig> Configure(ProgramConfig config);

    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<ProgramConfig?> GetConfig();

    /// <summary>The configuration as it was at <paramref name="version"/>; null for a version never stored.</summary>
    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<ProgramConfig?> GetConfigVersion(int version);

    /// <summary>Every stored version, oldest first (empty for a program never configured).</summary>
    Task<IReadOnlyList<ProgramConfig>> GetVersions();

    /// <summary>Starts a run now; while another run is going, returns that run instead.</summary>
    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<RunStartResult> StartRun();

    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<RunStatus?> GetRun(string runId);

    /// <summary>Recent runs, newest first.</summary>
    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<IReadOnlyList<RunStatus>> GetRuns();
}

[GenerateSerializer, Alias("loanoffers.RunTrigger")]
public enum RunTrigger { Scheduled, Manual }

[GenerateSerializer, Alias("loanoffers.RunState")]
public enum RunState { Running, Completed, Failed }

[GenerateSerializer, Immutable, Alias("loanoffers.RunStartResult")]
public sealed record RunStartResult(RunStatus Run, bool Started);

[GenerateSerializer, Immutable, Alias("loanoffers.BadRow")]
public sealed record BadRow(int LineNumber, string Reason);

/// <summary>A run's progress and report; checkpointed durably as it goes.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.RunStatus")]
public sealed record RunStatus
{
    [Id(0)] public required string RunId { get; init; }
    [Id(1)] public required string ProgramId { get; init; }
    [Id(2)] public required int ConfigVersion { get; init; }
    [Id(3)] public required RunTrigger Trigger { get; init; }
    [Id(4)] public DateTimeOffset? ScheduledFor { get; init; }
    [Id(5)] public required DateTimeOffset StartedAt { get; init; }
    [Id(6)] public DateTimeOffset? CompletedAt { get; init; }
    [Id(7)] public RunState State { get; init; } = RunState.Running;
    [Id(8)] public int Total { get; init; }
    [Id(9)] public int Processed { get; init; }
    [Id(10)] public int Offered { get; init; }
    [Id(11)] public int NoOffer { get; init; }
    [Id(12)] public IReadOnlyDictionary<string, int> RejectedByFilter { get; init; } = new Dictionary<string, int>();
    [Id(13)] public IReadOnlyDictionary<string, int> OffersByTier { get; init; } = new Dictionary<string, int>();
    [Id(14)] public int OffersMade { get; init; }
    [Id(15)] public int Errors { get; init; }
    [Id(16)] public int BadRowCount { get; init; }
    [Id(17)] public IReadOnlyList<BadRow> BadRows { get; init; } = [];
    [Id(18)] public int PartitionsDone { get; init; }
    [Id(19)] public int PartitionsTotal { get; init; }
    [Id(20)] public int Resumes { get; init; }
    [Id(21)] public string? LastError { get; init; }
    [Id(22)] public int ReplayedDecisions { get; init; }

    /// <summary>Set while the run waits for storage (or a silo) to come back; it then carries on from its checkpoint.</summary>
    [Id(23)] public RunPause? Pause { get; init; }

    /// <summary>How many times the run paused for a transient fault and carried on.</summary>
    [Id(24)] public int Pauses { get; init; }

    /// <summary>Customers whose earlier offers from this program the run withdrew, because they no longer qualify.</summary>
    [Id(25)] public int Withdrawn { get; init; }

    /// <summary>How the run's offers fared, per tier, as applications and their outcomes arrive (read from the applications ledger).</summary>
    [Id(26)] public IReadOnlyDictionary<string, TierOutcomes>? OutcomesByTier { get; init; }

    /// <summary>How each age band and state fared (<see cref="FairnessGroups"/>), the counts the fairness report is made of.</summary>
    [Id(27)] public IReadOnlyDictionary<string, GroupOutcomes>? Groups { get; init; }

    /// <summary>The fairness of the run's offers by age band and state, with any four-fifths breach named.</summary>
    public FairnessReport? Fairness => Groups is { Count: > 0 } groups ? FairnessMonitor.Assess(groups) : null;

    /// <summary>Each role's champion against the challenger the program named, over the run's scored customers (the counts).</summary>
    [Id(28)] public IReadOnlyDictionary<string, ChallengerTally>? ChallengerTallies { get; init; }

    /// <summary>Each role's champion against its challenger: distributions, rank agreement, and what would have changed.</summary>
    public IReadOnlyList<ChallengerComparison> Challengers =>
        [.. (ChallengerTallies ?? new Dictionary<string, ChallengerTally>()).Values.OrderBy(tally => tally.Role, StringComparer.Ordinal).Select(ChallengerComparison.Of)];
}

/// <summary>How a run's applications went in one tier.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.TierOutcomes")]
public sealed record TierOutcomes(int Applied, int Funded, int Declined, decimal FundedAmount);

/// <summary>Why a run waits, since when, and when it tries again.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.RunPause")]
public sealed record RunPause(string Reason, DateTimeOffset Since, DateTimeOffset RetryAt, int Attempts);
