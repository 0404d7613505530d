namespace LoanOffers.Domain.Tests;

public class FairnessMonitorTests
{
    private static GroupOutcomes Tally(int evaluated, int offered, string? rejectedBy = null, int rejected = 0, double score = 0.5)
    {
        var tally = GroupOutcomes.None;
        for (var i = 0; i < evaluated; i++)
        {
            var isRejected = i < rejected;
            tally = tally.With(offered: i >= evaluated - offered, approvalScore: isRejected ? null : score, rejectedBy: isRejected ? rejectedBy : null);
        }

        return tally;
    }

    [Fact]
    public void A_group_offered_under_four_fifths_of_the_best_groups_rate_beyond_chance_is_a_breach_and_a_small_or_noisy_gap_is_not()
    {
        var report = FairnessMonitor.Assess(new Dictionary<string, GroupOutcomes>
        {
            ["state:CA"] = Tally(300, 150, score: 0.7),
            ["state:WV"] = Tally(300, 90, "credit-qualification", rejected: 180, score: 0.4),
            ["state:VT"] = Tally(10, 1),
            ["state:NV"] = Tally(30, 11),
            ["age:25-34"] = Tally(80, 40),
            ["age:65+"] = Tally(40, 17),
        });

        var wv = report.Groups.Single(group => group.Group == "WV");
        Assert.Equal(("state", 0.3, 0.6, true), (wv.Dimension, wv.OfferRate, wv.AdverseImpactRatio!.Value, wv.Breach));
        Assert.Equal(0.4, wv.MeanApprovalScore);
        Assert.Equal(0.6, wv.FilterRejectionRates["credit-qualification"]);
        // Three judged states share the 5% false-alarm chance: each gap must pass z = 2.394 (99.17th percentile).
        Assert.Equal(2.394, wv.CriticalZ);
        Assert.InRange(wv.ZScore!.Value, 4.5, 5.0);
        Assert.False(report.Groups.Single(group => group.Group == "VT").Breach);
        Assert.Equal(0.2, report.Groups.Single(group => group.Group == "VT").AdverseImpactRatio);
        var nv = report.Groups.Single(group => group.Group == "NV");
        Assert.Equal((0.7333, false), (nv.AdverseImpactRatio!.Value, nv.Breach));
        Assert.InRange(nv.ZScore!.Value, 0.2, 0.4);
        var senior = report.Groups.Single(group => group.Group == "65+");
        Assert.Equal((0.85, false), (senior.AdverseImpactRatio!.Value, senior.Breach));
        Assert.Equal(["state WV: 0.60 of the best group's offer rate"], report.Breaches);
    }

    [Fact]
    public void Fifty_states_treated_alike_are_not_flagged_against_the_luckiest_of_them()
    {
        // Two hundred customers a state at a true offer rate of 22%: the counts spread as chance spreads them
        // (17% to 27%), so the luckiest state's rate puts the unluckiest under four fifths of it.
        var states = Enumerable.Range(0, 50).ToDictionary(state => $"state:S{state:00}", state => Tally(200, 34 + (state * 13 % 21)));

        var report = FairnessMonitor.Assess(states);

        var unluckiest = report.Groups.MinBy(group => group.OfferRate)!;
        Assert.Equal((0.17, 0.6296), (unluckiest.OfferRate, unluckiest.AdverseImpactRatio!.Value));
        Assert.InRange(unluckiest.ZScore!.Value, 1.5, 2.0);
        Assert.Equal(3.291, unluckiest.CriticalZ);
        Assert.Empty(report.Breaches);
    }

    [Fact]
    public void Tallies_add_up_group_by_group_and_filter_by_filter()
    {
        var sum = Tally(10, 4, "trust", rejected: 2).Plus(Tally(5, 5)).Plus(Tally(3, 0, "trust", rejected: 3));

        Assert.Equal((18, 9, 13), (sum.Evaluated, sum.Offered, sum.Scored));
        Assert.Equal(5, sum.RejectedByFilter["trust"]);
        Assert.Equal(6.5, sum.ApprovalScoreSum, 6);
    }

    [Theory]
    [InlineData("2008-11-25", "18-24")]
    [InlineData("2001-11-26", "18-24")]
    [InlineData("2001-11-25", "25-34")]
    [InlineData("1961-11-25", "65+")]
    [InlineData("1961-11-26", "55-64")]
    public void A_customer_falls_in_the_age_band_of_its_age_on_the_runs_day_and_in_its_state(string birth, string band)
    {
        var profile = TestData.Qualified() with { DateOfBirth = DateOnly.Parse(birth, System.Globalization.CultureInfo.InvariantCulture), State = "OR" };

        Assert.Equal([$"age:{band}", "state:OR"], FairnessGroups.Of(profile, new DateOnly(2026, 11, 25)));
    }
}
