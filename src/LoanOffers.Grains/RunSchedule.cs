using LoanOffers.Domain;

namespace LoanOffers.Grains;

/// <summary>Decides from the program's cron schedule whether a scheduled run is due, and names it.</summary>
public static class RunSchedule
{
    /// <summary>
    /// The latest occurrence after <paramref name="after"/> that is not later than <paramref name="now"/>, or null.
    /// Missed occurrences (the silo was down) collapse into the latest one: one catch-up run, not a pile.
    /// </summary>
    public static DateTimeOffset? DueOccurrence(string batchSchedule, string timeZone, DateTimeOffset after, DateTimeOffset now)
    {
        var schedule = ScheduleExpression.Parse(batchSchedule);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        DateTimeOffset? due = null;
        for (var next = schedule.GetNextOccurrence(after, zone); next is { } occurrence && occurrence <= now; next = schedule.GetNextOccurrence(occurrence, zone))
        {
            due = occurrence;
        }

        return due;
    }

    /// <summary>A scheduled run's id comes from its scheduled time, so a doubled tick cannot start it twice.</summary>
    public static string ScheduledRunId(DateTimeOffset scheduledFor) => "scheduled-" + scheduledFor.UtcDateTime.ToString("yyyyMMdd'T'HHmm'Z'");

    public static string ManualRunId(DateTimeOffset now) => "manual-" + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'");
}
