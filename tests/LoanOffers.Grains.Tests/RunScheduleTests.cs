namespace LoanOffers.Grains.Tests;

public sealed class RunScheduleTests
{
    private const string Weekly = "cron(0 2 ? * MON *)";

    [Fact]
    public void The_weekly_run_is_due_once_its_monday_two_am_has_passed()
    {
        var anchor = new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

        Assert.Null(RunSchedule.DueOccurrence(Weekly, "UTC", anchor, new DateTimeOffset(2026, 11, 23, 1, 59, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero), RunSchedule.DueOccurrence(Weekly, "UTC", anchor, new DateTimeOffset(2026, 11, 23, 2, 0, 30, TimeSpan.Zero)));
    }

    [Fact]
    public void A_doubled_tick_finds_nothing_new_after_the_run_it_started()
    {
        var scheduled = new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);

        Assert.Null(RunSchedule.DueOccurrence(Weekly, "UTC", scheduled, scheduled.AddMinutes(1)));
        Assert.Equal(RunSchedule.ScheduledRunId(scheduled), RunSchedule.ScheduledRunId(scheduled.ToOffset(TimeSpan.FromHours(-5))));
        Assert.Equal("scheduled-20261123T0200Z", RunSchedule.ScheduledRunId(scheduled));
    }

    [Fact]
    public void Missed_weeks_collapse_into_one_catch_up_run()
    {
        var anchor = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

        var due = RunSchedule.DueOccurrence(Weekly, "UTC", anchor, new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero), due);
    }

    [Fact]
    public void The_schedule_follows_the_program_time_zone()
    {
        var anchor = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

        var due = RunSchedule.DueOccurrence(Weekly, "America/New_York", anchor, new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 11, 23, 7, 0, 0, TimeSpan.Zero), due);
    }
}
