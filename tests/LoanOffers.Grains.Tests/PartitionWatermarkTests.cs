using System.Threading.Channels;
using LoanOffers.Abstractions;
using LoanOffers.Domain;
using LoanOffers.Grains;

namespace LoanOffers.Grains.Tests;

/// <summary>Checkpoints of the continuous batch pipeline: partitions finish out of order, checkpoints count in order.</summary>
public sealed class PartitionWatermarkTests
{
    private static readonly RunStatus Start = new()
    {
        RunId = "run-1",
        ProgramId = "loan-offer-targeting",
        ConfigVersion = 1,
        Trigger = RunTrigger.Manual,
        StartedAt = DateTimeOffset.UnixEpoch,
        Total = 12,
        PartitionsTotal = 6,
    };

    [Fact]
    public void A_checkpoint_counts_only_the_partitions_before_the_first_unfinished_one()
    {
        var (watermark, checkpoints, live) = Create(Start, partitionsPerCheckpoint: 2);

        watermark.Finish(PartitionEvaluator.Summarize(1, Offered(2)));
        watermark.Finish(PartitionEvaluator.Summarize(2, Rejected(2)));
        Assert.False(checkpoints.TryRead(out _));

        watermark.Finish(PartitionEvaluator.Summarize(0, Offered(2)));
        Assert.True(checkpoints.TryRead(out var checkpoint));
        Assert.Equal(3, checkpoint.PartitionsDone);
        Assert.Equal(6, checkpoint.Processed);
        Assert.Equal(4, checkpoint.Offered);
        Assert.Equal(2, checkpoint.RejectedByFilter["credit"]);
        Assert.Equal(3, live.Snapshot().PartitionsDone);
        Assert.False(checkpoints.TryRead(out _));
    }

    [Fact]
    public void Partitions_finished_past_the_watermark_are_not_in_its_checkpoint()
    {
        var (watermark, checkpoints, _) = Create(Start, partitionsPerCheckpoint: 2);

        watermark.Finish(PartitionEvaluator.Summarize(0, Offered(2)));
        watermark.Finish(PartitionEvaluator.Summarize(3, Offered(2)));
        watermark.Finish(PartitionEvaluator.Summarize(1, Rejected(2)));

        Assert.True(checkpoints.TryRead(out var checkpoint));
        Assert.Equal(2, checkpoint.PartitionsDone);
        Assert.Equal(4, checkpoint.Processed);
        Assert.False(checkpoints.TryRead(out _));
    }

    [Fact]
    public void The_last_partition_gives_a_checkpoint_even_short_of_the_interval_and_errors_are_counted()
    {
        var (watermark, checkpoints, _) = Create(Start with { PartitionsDone = 4, Processed = 8, Offered = 8 }, partitionsPerCheckpoint: 8);

        watermark.Finish(PartitionEvaluator.Summarize(5, [new CustomerResult(null, "C11: TimeoutException: slow")]));
        watermark.Finish(PartitionEvaluator.Summarize(4, Offered(2)));

        Assert.True(checkpoints.TryRead(out var checkpoint));
        Assert.Equal(6, checkpoint.PartitionsDone);
        Assert.Equal(11, checkpoint.Processed);
        Assert.Equal(10, checkpoint.Offered);
        Assert.Equal(1, checkpoint.Errors);
        Assert.Equal("C11: TimeoutException: slow", checkpoint.LastError);
    }

    [Fact]
    public void A_partition_reported_twice_counts_once()
    {
        var (watermark, checkpoints, _) = Create(Start, partitionsPerCheckpoint: 1);

        watermark.Finish(PartitionEvaluator.Summarize(1, Offered(2)));
        watermark.Finish(PartitionEvaluator.Summarize(1, Offered(2)));
        watermark.Finish(PartitionEvaluator.Summarize(0, Offered(2)));
        watermark.Finish(PartitionEvaluator.Summarize(0, Offered(2)));

        Assert.True(checkpoints.TryRead(out var checkpoint));
        Assert.Equal(2, checkpoint.PartitionsDone);
        Assert.Equal(4, checkpoint.Processed);
        Assert.False(checkpoints.TryRead(out _));
    }

    private static (PartitionWatermark Watermark, ChannelReader<RunStatus> Checkpoints, LiveProgress Live) Create(RunStatus checkpoint, int partitionsPerCheckpoint)
    {
        var live = new LiveProgress(checkpoint);
        var channel = Channel.CreateUnbounded<RunStatus>();
        return (new PartitionWatermark(live, checkpoint.PartitionsTotal, partitionsPerCheckpoint, channel.Writer), channel.Reader, live);
    }

    private static CustomerResult[] Offered(int count) => Evaluated(count, DecisionOutcome.Offered, rejectedBy: null);

    private static CustomerResult[] Rejected(int count) => Evaluated(count, DecisionOutcome.Rejected, rejectedBy: "credit");

    private static CustomerResult[] Evaluated(int count, DecisionOutcome outcome, string? rejectedBy) =>
        [.. Enumerable.Range(0, count).Select(i => new CustomerResult(
            new CustomerEvaluation($"C{i}", outcome, rejectedBy, outcome == DecisionOutcome.Offered ? "good" : null, outcome == DecisionOutcome.Offered ? 3 : 0, null, null, false), null))];
}
