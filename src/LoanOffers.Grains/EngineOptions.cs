namespace LoanOffers.Grains;

public sealed class EngineOptions
{
    /// <summary>The only folder a program's CSV connector may read from; its paths are relative to it.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// Storage partitions worked on at once by a batch, across the cluster (each live silo takes its share). Eight keep
    /// Azurite busy with full transactions; more only add live activations (memory and GC) without adding throughput
    /// (batch benchmark: 16 took about a fifth more CPU).
    /// </summary>
    public int PartitionConcurrency { get; set; } = 8;

    /// <summary>
    /// Customers of one partition evaluated at once: enough that each transaction of the partition leaves full
    /// (up to 100 rows), few enough that activations do not pile up waiting for it.
    /// </summary>
    public int EvaluationsPerPartition { get; set; } = 200;

    /// <summary>
    /// Storage partitions per durable checkpoint: at most this many partitions (plus those in flight) are redone after
    /// a crash. A checkpoint is one small program-state write, so they can be frequent.
    /// </summary>
    public int PartitionsPerCheckpoint { get; set; } = 8;

    /// <summary>How often the program grain's reminder checks the schedule.</summary>
    public TimeSpan ScheduleCheckPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a run waits out a storage or cluster outage (pausing, then carrying on from its checkpoint) before it
    /// gives up and fails, naming the outage.
    /// </summary>
    public TimeSpan StorageOutageLimit { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Longest wait between two attempts to carry on after a transient fault; waits double up to it.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Runs kept in a program's history.</summary>
    public int RunHistory { get; set; } = 20;
}
