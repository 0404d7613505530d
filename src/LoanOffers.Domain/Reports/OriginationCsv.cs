using System.Globalization;
using CsvHelper;

namespace LoanOffers.Domain.Reports;

/// <summary>The daily origination report as CSV: one line per program, tier and channel, the comparisons beside the day.</summary>
public static class OriginationCsv
{
    public static readonly IReadOnlyList<string> Header =
    [
        "day", "program", "tier", "channel", "offers_live", "offers_live_previous_day", "offers_live_previous_week",
        "sent", "applications", "approvals", "declines", "funded_volume",
        "sent_previous_day", "applications_previous_day", "approvals_previous_day", "declines_previous_day", "funded_volume_previous_day",
        "sent_previous_week", "applications_previous_week", "approvals_previous_week", "declines_previous_week", "funded_volume_previous_week",
        "opened", "clicked",
    ];

    /// <summary>Writes the report; a comparison whose totals were never taken is an empty cell, not a zero.</summary>
    public static void Write(DailyOriginationReport report, TextWriter writer)
    {
        using var csv = CsvWriter.Create(writer, CsvWriterOptions.Default with { NewLine = "\n" }, leaveOpen: true);
        csv.WriteHeader([.. Header]);
        var day = report.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        foreach (var row in report.Rows)
        {
            csv.WriteRecord(
            [
                day, row.ProgramId, row.Tier, row.Channel,
                Cell(row.OffersLive), Cell(row.OffersLivePreviousDay), Cell(row.OffersLivePreviousWeek),
                .. Activity(row.Day), .. Activity(row.PreviousDay), .. Activity(row.PreviousWeek),
                Cell(row.Day.Opened), Cell(row.Day.Clicked),
            ]);
        }
    }

    public static readonly IReadOnlyList<string> TotalsHeader =
    [
        "day", "program", "run", "tier", "channel", "offers_live", "sent", "opened", "clicked", "applications", "approvals", "declines", "funded_volume",
    ];

    /// <summary>Writes a night's totals: one line per program, run, tier and channel, and one per tier's live offers (no run).</summary>
    public static void WriteTotals(DateOnly day, IReadOnlyList<OriginationTotals> totals, TextWriter writer)
    {
        using var csv = CsvWriter.Create(writer, CsvWriterOptions.Default with { NewLine = "\n" }, leaveOpen: true);
        csv.WriteHeader([.. TotalsHeader]);
        var date = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        foreach (var row in totals)
        {
            csv.WriteRecord(
            [
                date, row.ProgramId, row.RunId ?? string.Empty, row.Tier, row.Channel, Cell(row.OffersLive),
                Cell(row.Sent), Cell(row.Opened), Cell(row.Clicked), Cell(row.Applied), Cell(row.Funded), Cell(row.Declined),
                row.FundedVolume.ToString("0.##", CultureInfo.InvariantCulture),
            ]);
        }
    }

    private static string[] Activity(OriginationActivity? activity) =>
    [
        Cell(activity?.Sent), Cell(activity?.Applied), Cell(activity?.Funded), Cell(activity?.Declined),
        activity is null ? string.Empty : activity.FundedVolume.ToString("0.##", CultureInfo.InvariantCulture),
    ];

    private static string Cell(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;
}
