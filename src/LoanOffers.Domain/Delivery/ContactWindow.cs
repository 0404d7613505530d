using Orleans;

namespace LoanOffers.Domain;

/// <summary>
/// Quiet hours in the customer's local time: no offer message goes out from <see cref="Start"/> until
/// <see cref="End"/> (spanning midnight when <see cref="Start"/> is later in the day).
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.QuietHours")]
public sealed record QuietHours(TimeOnly Start, TimeOnly End)
{
    public bool Contains(TimeOnly time) => Start <= End ? time >= Start && time < End : time >= Start || time < End;
}

/// <summary>When a message may go out in the customer's own time zone: inside the send window, outside quiet hours.</summary>
public static class ContactWindow
{
    /// <summary>
    /// The first instant at or after <paramref name="now"/> a message may go out: now when allowed, else the start of the
    /// next allowed local time. With a <paramref name="sendTime"/> the message goes out from that local time for
    /// <paramref name="sendWindow"/> (so a campaign that takes minutes to drain still sends that morning), otherwise at
    /// any time quiet hours allow.
    /// </summary>
    public static DateTimeOffset EarliestSend(DateTimeOffset now, TimeZoneInfo zone, TimeOnly? sendTime, TimeSpan sendWindow, QuietHours? quiet)
    {
        var candidate = now;
        if (sendTime is { } at)
        {
            var local = TimeZoneInfo.ConvertTime(now, zone);
            var start = LocalInstant(DateOnly.FromDateTime(local.DateTime), at, zone);
            if (now < start)
            {
                candidate = start;
            }
            else if (now >= start + sendWindow)
            {
                candidate = LocalInstant(DateOnly.FromDateTime(local.DateTime).AddDays(1), at, zone);
            }
        }

        var localCandidate = TimeZoneInfo.ConvertTime(candidate, zone).DateTime;
        if (quiet is not null && quiet.Contains(TimeOnly.FromDateTime(localCandidate)))
        {
            // Quiet hours spanning midnight, entered in the evening, end the next morning.
            var day = DateOnly.FromDateTime(localCandidate);
            var end = LocalInstant(TimeOnly.FromDateTime(localCandidate) >= quiet.End && quiet.Start > quiet.End ? day.AddDays(1) : day, quiet.End, zone);
            candidate = end > candidate ? end : candidate;
        }

        return candidate;
    }

    /// <summary>The instant a local date and time names in <paramref name="zone"/>; a time skipped by a clock change counts as an hour later.</summary>
    private static DateTimeOffset LocalInstant(DateOnly day, TimeOnly time, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            local = local.AddHours(1);
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    /// <summary>The customer's time zone: the one stored in the profile, else its state's.</summary>
    public static TimeZoneInfo ZoneOf(CustomerProfile profile) =>
        TimeZoneInfo.FindSystemTimeZoneById(profile.TimeZone ?? UsStates.TimeZoneOf(profile.State));
}
