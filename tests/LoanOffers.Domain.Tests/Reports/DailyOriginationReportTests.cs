using LoanOffers.Domain.Reports;

namespace LoanOffers.Domain.Tests.Reports;

public sealed class DailyOriginationReportTests
{
    private static readonly DateOnly Day = new(2026, 11, 24);
    private static readonly DateTimeOffset BuiltAt = new(2026, 11, 25, 11, 0, 0, TimeSpan.Zero);

    private static OriginationTotals Email(string runId, int sent, int applied, int funded, decimal volume) =>
        new("loans", runId, "excellent", "email", null, sent, 0, 0, applied, funded, 0, volume);

    [Fact]
    public void A_days_activity_is_the_gain_over_the_day_before_run_by_run_against_the_day_before_and_the_week_before()
    {
        var totals = new Dictionary<DateOnly, IReadOnlyList<OriginationTotals>>
        {
            [Day] = [Email("w2", 500, 30, 12, 240_000m), Email("w3", 200, 4, 0, 0m), OriginationTotals.Live("loans", "excellent", 900)],
            [Day.AddDays(-1)] = [Email("w2", 450, 20, 10, 200_000m), OriginationTotals.Live("loans", "excellent", 950)],
            [Day.AddDays(-2)] = [Email("w2", 400, 15, 7, 140_000m)],
            // The week before, run w1 was still kept; by the day it had left the history, so it is on neither side.
            [Day.AddDays(-7)] = [Email("w1", 900, 60, 30, 600_000m), Email("w2", 100, 2, 0, 0m), OriginationTotals.Live("loans", "excellent", 400)],
            [Day.AddDays(-8)] = [Email("w1", 880, 55, 29, 580_000m)],
        };

        var report = DailyOriginationReport.Build(Day, BuiltAt, day => totals.GetValueOrDefault(day));

        var email = Assert.Single(report.Rows, row => row.Channel == "email");
        // w2 gained 50 sent, 10 applications, 2 funded, 40,000; w3 is new, so all of it is the day's.
        Assert.Equal(new OriginationActivity(250, 0, 0, 14, 2, 0, 40_000m), email.Day);
        Assert.Equal(new OriginationActivity(50, 0, 0, 5, 3, 0, 60_000m), email.PreviousDay);
        // w1 gained 20 sent, 5 applications, 1 funded, 20,000; w2 was new that day.
        Assert.Equal(new OriginationActivity(120, 0, 0, 7, 1, 0, 20_000m), email.PreviousWeek);
        Assert.Null(email.OffersLive);

        var all = Assert.Single(report.Rows, row => row.Channel == OriginationTotals.AllChannels);
        Assert.Equal((900, 950, 400), (all.OffersLive!.Value, all.OffersLivePreviousDay!.Value, all.OffersLivePreviousWeek!.Value));
    }

    [Fact]
    public void A_comparison_whose_totals_were_never_taken_is_left_empty_not_zero_and_the_csv_says_so()
    {
        var totals = new Dictionary<DateOnly, IReadOnlyList<OriginationTotals>>
        {
            [Day] = [Email("w2", 500, 30, 12, 240_000m), OriginationTotals.Live("loans", "excellent", 900)],
            [Day.AddDays(-1)] = [Email("w2", 450, 20, 10, 200_000m)],
        };

        var report = DailyOriginationReport.Build(Day, BuiltAt, day => totals.GetValueOrDefault(day));
        var email = Assert.Single(report.Rows, row => row.Channel == "email");
        Assert.Equal(50, email.Day.Sent);
        Assert.Null(email.PreviousDay);
        Assert.Null(email.PreviousWeek);

        using var csv = new StringWriter();
        OriginationCsv.Write(report, csv);
        var lines = csv.ToString().TrimEnd('\n').Split('\n');
        Assert.Equal(string.Join(',', OriginationCsv.Header), lines[0]);
        Assert.Equal("2026-11-24,loans,excellent,email,,,,50,10,2,0,40000,,,,,,,,,,,0,0", lines[1]);
        // The day before was taken with no live offers in the tier: zero; the week before was never taken: empty.
        Assert.Equal("2026-11-24,loans,excellent,all,900,0,,0,0,0,0,0,,,,,,,,,,,0,0", lines[2]);
    }

    [Fact]
    public void A_day_without_totals_has_an_empty_report()
    {
        Assert.Empty(DailyOriginationReport.Build(Day, BuiltAt, _ => null).Rows);
    }
}
