using System.Diagnostics.Metrics;

namespace LoanOffers.Scoring;

/// <summary>How the scoring batches go: their size and how long one batch takes to score with both models.</summary>
public static class ScoringMeters
{
    public const string MeterName = "LoanOffers.Scoring";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>(
        "loanoffers.scoring.batch.size", "{customer}", "Customers scored together in one model call.",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] });

    public static readonly Histogram<double> BatchDuration = Meter.CreateHistogram<double>(
        "loanoffers.scoring.batch.duration", "s", "Time to score one batch with the approval and default-risk models.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25] });
}
