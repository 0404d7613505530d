using LoanOffers.Domain;

namespace LoanOffers.Domain.Tests;

public sealed class ContactWindowTests
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private static readonly TimeZoneInfo Honolulu = TimeZoneInfo.FindSystemTimeZoneById("Pacific/Honolulu");
    private static readonly QuietHours Evenings = new(new TimeOnly(21, 0), new TimeOnly(8, 0));
    private static readonly TimeSpan TwoHours = TimeSpan.FromHours(2);

    [Fact]
    public void An_email_before_its_send_time_waits_for_ten_in_the_customers_own_zone()
    {
        // 13:00 UTC in March is 09:00 in New York (EDT) and 03:00 in Honolulu.
        var now = new DateTimeOffset(2026, 3, 17, 13, 0, 0, TimeSpan.Zero);

        Assert.Equal(new DateTimeOffset(2026, 3, 17, 14, 0, 0, TimeSpan.Zero), ContactWindow.EarliestSend(now, NewYork, new TimeOnly(10, 0), TwoHours, Evenings));
        Assert.Equal(new DateTimeOffset(2026, 3, 17, 20, 0, 0, TimeSpan.Zero), ContactWindow.EarliestSend(now, Honolulu, new TimeOnly(10, 0), TwoHours, Evenings));
    }

    [Fact]
    public void Inside_the_send_window_it_goes_now_and_after_it_the_next_morning()
    {
        var during = new DateTimeOffset(2026, 3, 17, 14, 40, 0, TimeSpan.Zero);
        var after = new DateTimeOffset(2026, 3, 17, 16, 30, 0, TimeSpan.Zero);

        Assert.Equal(during, ContactWindow.EarliestSend(during, NewYork, new TimeOnly(10, 0), TwoHours, Evenings));
        Assert.Equal(new DateTimeOffset(2026, 3, 18, 14, 0, 0, TimeSpan.Zero), ContactWindow.EarliestSend(after, NewYork, new TimeOnly(10, 0), TwoHours, Evenings));
    }

    [Fact]
    public void Quiet_hours_hold_a_message_until_they_end_on_either_side_of_midnight()
    {
        // 23:30 and 05:00 in New York (EST in January, UTC-5).
        var lateEvening = new DateTimeOffset(2026, 1, 13, 4, 30, 0, TimeSpan.Zero);
        var earlyMorning = new DateTimeOffset(2026, 1, 13, 10, 0, 0, TimeSpan.Zero);
        var afternoon = new DateTimeOffset(2026, 1, 13, 19, 0, 0, TimeSpan.Zero);

        Assert.Equal(new DateTimeOffset(2026, 1, 13, 13, 0, 0, TimeSpan.Zero), ContactWindow.EarliestSend(lateEvening, NewYork, null, TwoHours, Evenings));
        Assert.Equal(new DateTimeOffset(2026, 1, 13, 13, 0, 0, TimeSpan.Zero), ContactWindow.EarliestSend(earlyMorning, NewYork, null, TwoHours, Evenings));
        Assert.Equal(afternoon, ContactWindow.EarliestSend(afternoon, NewYork, null, TwoHours, Evenings));
        Assert.Equal(lateEvening, ContactWindow.EarliestSend(lateEvening, NewYork, null, TwoHours, quiet: null));
    }

    [Fact]
    public void Send_time_follows_the_clock_change()
    {
        // 10:00 in New York is 15:00 UTC on the Friday before DST starts and 14:00 UTC on the Monday after.
        var friday = new DateTimeOffset(2026, 3, 6, 12, 0, 0, TimeSpan.Zero);
        var sunday = new DateTimeOffset(2026, 3, 8, 16, 0, 0, TimeSpan.Zero);

        Assert.Equal(new DateTimeOffset(2026, 3, 6, 15, 0, 0, TimeSpan.Zero), ContactWindow.EarliestSend(friday, NewYork, new TimeOnly(10, 0), TwoHours, null));
        Assert.Equal(new DateTimeOffset(2026, 3, 9, 14, 0, 0, TimeSpan.Zero), ContactWindow.EarliestSend(sunday, NewYork, new TimeOnly(10, 0), TwoHours, null));
    }

    [Theory]
    [InlineData("CA", "America/Los_Angeles")]
    [InlineData("TX", "America/Chicago")]
    [InlineData("NY", "America/New_York")]
    [InlineData("AZ", "America/Phoenix")]
    [InlineData("HI", "Pacific/Honolulu")]
    public void A_profile_without_a_zone_takes_its_states(string state, string zone)
    {
        var profile = TestData.Qualified() with { State = state, TimeZone = null };

        Assert.Equal(zone, ContactWindow.ZoneOf(profile).Id);
        Assert.All(UsStates.Codes, code => Assert.NotNull(TimeZoneInfo.FindSystemTimeZoneById(UsStates.TimeZoneOf(code))));
    }

    [Fact]
    public void An_sms_text_fills_amount_rate_and_link()
    {
        Assert.Equal(
            "You're pre-approved for a $50,000 loan at 5.61% APR. Apply now: https://bank.example/o/1",
            SmsText.Render("You're pre-approved for a ${loanAmount} loan at {apr}% APR. Apply now: {link}", 50_000m, 5.610m, "https://bank.example/o/1"));
    }
}
