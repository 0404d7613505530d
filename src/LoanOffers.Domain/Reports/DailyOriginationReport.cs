namespace LoanOffers.Domain.Reports;

/// <summary>
/// The daily origination report: for one business day, each program, tier and channel's activity against the day
/// before and the same day a week before, with the offers live at each of those days' end.
/// </summary>
public sealed record DailyOriginationReport(DateOnly Day, DateTimeOffset BuiltAt, IReadOnlyList<OriginationRow> Rows)
{
    /// <summary>
    /// Builds the report of <paramref name="day"/> from the nightly totals it needs: the day's, the two days before it,
    /// and the two days a week before. A comparison whose totals were never taken is null, never guessed. Without the
    /// day before's totals, everything so far counts as the day's activity.
    /// </summary>
    public static DailyOriginationReport Build(DateOnly day, DateTimeOffset builtAt, Func<DateOnly, IReadOnlyList<OriginationTotals>?> totalsOf)
    {
        var today = totalsOf(day) ?? [];
        var yesterday = totalsOf(day.AddDays(-1));
        var dayBefore = totalsOf(day.AddDays(-2));
        var weekAgo = totalsOf(day.AddDays(-7));
        var dayBeforeWeekAgo = totalsOf(day.AddDays(-8));

        var activity = Activity(today, yesterday);
        var previousDay = yesterday is null || dayBefore is null ? null : Activity(yesterday, dayBefore);
        var previousWeek = weekAgo is null || dayBeforeWeekAgo is null ? null : Activity(weekAgo, dayBeforeWeekAgo);
        var live = Live(today);
        var liveYesterday = yesterday is null ? null : Live(yesterday);
        var liveWeekAgo = weekAgo is null ? null : Live(weekAgo);

        var rows = activity.Keys.Union(live.Keys)
            .OrderBy(key => key.ProgramId, StringComparer.Ordinal)
            .ThenBy(key => key.Tier, StringComparer.Ordinal)
            .ThenBy(key => key.Channel == OriginationTotals.AllChannels ? 1 : 0)
            .ThenBy(key => key.Channel, StringComparer.Ordinal)
            .Select(key => new OriginationRow(
                key.ProgramId, key.Tier, key.Channel,
                live.TryGetValue(key, out var offers) ? offers : null,
                LiveOn(liveYesterday, key),
                LiveOn(liveWeekAgo, key),
                activity.GetValueOrDefault(key, OriginationActivity.None),
                previousDay?.GetValueOrDefault(key, OriginationActivity.None),
                previousWeek?.GetValueOrDefault(key, OriginationActivity.None)))
            .ToList();
        return new DailyOriginationReport(day, builtAt, rows);
    }

    /// <summary>Each program, tier and channel's gain from <paramref name="before"/> to <paramref name="after"/>, run by run.</summary>
    private static Dictionary<RowKey, OriginationActivity> Activity(IReadOnlyList<OriginationTotals> after, IReadOnlyList<OriginationTotals>? before)
    {
        var earlier = before?.Where(totals => totals.RunId is not null).ToDictionary(totals => (totals.ProgramId, totals.RunId, totals.Tier, totals.Channel));
        return after
            .Where(totals => totals.RunId is not null)
            .GroupBy(totals => new RowKey(totals.ProgramId, totals.Tier, totals.Channel))
            .ToDictionary(
                group => group.Key,
                group => group.Aggregate(OriginationActivity.None, (sum, totals) =>
                    sum.Plus(totals.Since(earlier?.GetValueOrDefault((totals.ProgramId, totals.RunId, totals.Tier, totals.Channel))))));
    }

    /// <summary>A tier's live offers on a day whose totals were taken (none counted: zero); null for a channel's row or a day not taken.</summary>
    private static int? LiveOn(Dictionary<RowKey, int>? live, RowKey key) =>
        live is null || key.Channel != OriginationTotals.AllChannels ? null : live.GetValueOrDefault(key);

    private static Dictionary<RowKey, int> Live(IReadOnlyList<OriginationTotals> totals) => totals
        .Where(row => row.RunId is null && row.OffersLive is not null)
        .ToDictionary(row => new RowKey(row.ProgramId, row.Tier, row.Channel), row => row.OffersLive!.Value);

    private readonly record struct RowKey(string ProgramId, string Tier, string Channel);
}

/// <summary>
/// One row of the daily report: the business day's activity and, when their totals were taken, the day before's and
/// the same day a week before's; offers live at each day's end on a tier's <c>all</c> row.
/// </summary>
public sealed record OriginationRow(
    string ProgramId,
    string Tier,
    string Channel,
    int? OffersLive,
    int? OffersLivePreviousDay,
    int? OffersLivePreviousWeek,
    OriginationActivity Day,
    OriginationActivity? PreviousDay,
    OriginationActivity? PreviousWeek);
