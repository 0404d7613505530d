namespace LoanOffers.Grains;

public sealed class EngineOptions
{
    /// <summary>The only folder a program's CSV connector may read from; its paths are relative to it.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Storage partitions worked on at once by a batch.</summary>
    public int PartitionConcurrency { get; set; } = 16;

    /// <summary>
    /// Storage partitions per durable checkpoint. Each checkpoint writes its partitions' candidate-index rows first,
    /// so small checkpoints also keep the index close behind the customers and leave little to write at the end.
    /// </summary>
    public int PartitionsPerCheckpoint { get; set; } = 8;

    /// <summary>How often the program grain's reminder checks the schedule.</summary>
    public TimeSpan ScheduleCheckPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Runs kept in a program's history.</summary>
    public int RunHistory { get; set; } = 20;
}
