namespace LoanOffers.Domain.Tests;

public class CustomerEvaluatorTests
{
    private static CustomerDecision Evaluate(CustomerProfile profile, double approval, double defaultProbability = 0.01, ProgramConfig? program = null) =>
        CustomerEvaluator.Evaluate(new EvaluationInput
        {
            Profile = profile,
            Program = program ?? TestData.DemoProgram,
            Scores = new ModelScores(new ModelScore("loan-approval-v4", "4.0.1", approval), new ModelScore("default-risk-v3", "3.2.0", defaultProbability)),
            Now = TestData.Now,
            RunId = "run-2026-03-02",
        });

    [Theory]
    [InlineData(780, 0.90, "excellent")]
    [InlineData(780, 0.70, "good")]
    [InlineData(780, 0.45, "fair")]
    [InlineData(720, 0.95, "good")]
    [InlineData(720, 0.50, "fair")]
    public void Tier_is_the_lower_of_credit_segment_and_approval_band(int creditScore, double approval, string tier)
    {
        var decision = Evaluate(TestData.Qualified() with { CreditScore = creditScore }, approval);

        Assert.Equal(DecisionOutcome.Offered, decision.Outcome);
        Assert.Equal(tier, decision.Tier);
        Assert.All(decision.Offers, o => Assert.Equal(tier, o.Tier));
        var maxAmount = TestData.DemoProgram.LoanOfferStrategy.Segments.Single(s => s.CreditTier == tier).MaxLoanAmount;
        Assert.All(decision.Offers, o => Assert.True(o.Amount <= maxAmount));
    }

    [Fact]
    public void Offered_decision_keeps_everything_that_explains_it()
    {
        var decision = Evaluate(TestData.Qualified(), 0.9);

        Assert.Equal(("run-2026-03-02", "loan-offer-targeting", 1, "C0000042"), (decision.RunId, decision.ProgramId, decision.ConfigVersion, decision.CustomerId));
        Assert.Equal(TestData.Now, decision.EvaluatedAt);
        Assert.True(decision.FilterResult.Passed);
        Assert.Equal((0.9, 0.01), (decision.ApprovalProbability, decision.DefaultProbability));
        Assert.Equal(["loan-approval-v4", "default-risk-v3"], decision.ModelScores.Select(s => s.ModelId));
        Assert.NotNull(decision.Risk);
        Assert.NotNull(decision.Behavior);
        Assert.Equal(9, decision.Offers.Count);
        Assert.Contains(decision.Reasons, r => r.Contains("excellent band"));
    }

    [Fact]
    public void Approval_below_fair_band_gets_no_offer_with_reason()
    {
        var decision = Evaluate(TestData.Qualified(), 0.39);

        Assert.Equal(DecisionOutcome.NoOffer, decision.Outcome);
        Assert.Null(decision.Tier);
        Assert.Empty(decision.Offers);
        Assert.Contains("below the fair band", Assert.Single(decision.Reasons));
    }

    [Fact]
    public void A_scored_decision_names_at_most_four_features_that_lowered_its_score_heaviest_first()
    {
        var scores = new ModelScores(new ModelScore("loan-approval-v4", "1", 0.39), new ModelScore("default-risk-v3", "1", 0.02))
        {
            ApprovalContributions =
            [
                new FeatureContribution(ModelFeatures.DebtToIncome, 0.21),
                new FeatureContribution(ModelFeatures.PaymentHistory, 0.08),
                new FeatureContribution(ModelFeatures.Income, 0.02),
                new FeatureContribution(ModelFeatures.SavingsRate, 0.011),
                new FeatureContribution(ModelFeatures.AccountAge, 0.01),
                new FeatureContribution(ModelFeatures.DepositBalance, 0.001),
                new FeatureContribution(ModelFeatures.CreditScore, -0.12),
            ],
        };

        var decision = CustomerEvaluator.Evaluate(new EvaluationInput { Profile = TestData.Qualified(), Program = TestData.DemoProgram, Scores = scores, Now = TestData.Now, RunId = "r" });

        Assert.Equal(DecisionOutcome.NoOffer, decision.Outcome);
        Assert.Equal(["SCORE_DEBT_TO_INCOME", "SCORE_PAYMENT_HISTORY", "SCORE_INCOME", "SCORE_SAVINGS_RATE"], decision.PrincipalReasons.Select(reason => reason.Code));
        Assert.Equal("Excessive obligations in relation to income", decision.PrincipalReasons[0].Statement);
        Assert.Equal(0.21, decision.PrincipalReasons[0].Weight);
    }

    [Fact]
    public void A_rejection_s_principal_reason_is_its_filter_s_reason_code()
    {
        var decision = Evaluate(TestData.Qualified() with { CreditScore = 560 }, 0.9);

        Assert.Equal(DecisionOutcome.Rejected, decision.Outcome);
        var reason = Assert.Single(decision.PrincipalReasons);
        Assert.Equal((decision.FilterResult.ReasonCode, decision.FilterResult.Reason), (reason.Code, reason.Statement));
        Assert.Null(reason.Weight);
    }

    [Fact]
    public void Filter_rejection_needs_no_scores_and_names_the_filter()
    {
        var decision = CustomerEvaluator.Evaluate(new EvaluationInput
        {
            Profile = TestData.Qualified() with { PrescreenOptOut = true },
            Program = TestData.DemoProgram,
            Now = TestData.Now,
            RunId = "run",
        });

        Assert.Equal(DecisionOutcome.Rejected, decision.Outcome);
        Assert.Equal(("eligibility", "PRESCREEN_OPT_OUT"), (decision.FilterResult.FilterId, decision.FilterResult.ReasonCode));
        Assert.Empty(decision.Offers);
        Assert.Null(decision.ApprovalProbability);
    }

    [Fact]
    public void Disabled_program_offers_nothing()
    {
        var decision = Evaluate(TestData.Qualified(), 0.9, program: TestData.DemoProgram with { Enabled = false });

        Assert.Equal(DecisionOutcome.NoOffer, decision.Outcome);
        Assert.Empty(decision.Offers);
    }

    [Fact]
    public void Funnel_signals_shift_conversion_and_sensitivity()
    {
        var profile = TestData.Qualified();
        var cold = BehaviorAnalyzer.Analyze(profile, 0.9, null);
        var keen = BehaviorAnalyzer.Analyze(profile, 0.9, new BehaviorSignals(OffersShown: 5, OffersClicked: 4, OffersApplied: 3, OffersDeclined: 0));
        var declines = BehaviorAnalyzer.Analyze(profile, 0.9, new BehaviorSignals(OffersShown: 20, OffersClicked: 0, OffersApplied: 0, OffersDeclined: 20));

        // Prior 0.02 + 0.16 x 0.81 = 0.1496; with 3 of 5 applied: (0.1496 x 5 + 3) / 10 = 0.3748.
        Assert.Equal(0.1496, cold.ConversionProbability, 4);
        Assert.Equal(0.3748, keen.ConversionProbability, 4);
        Assert.Equal(PriceSensitivity.High, declines.PriceSensitivity);
        Assert.True(declines.ConversionProbability < cold.ConversionProbability);
    }

    [Fact]
    public void Clicking_without_applying_makes_a_customer_price_sensitive_and_the_lesson_fades()
    {
        var profile = TestData.Qualified();
        var learnedAt = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
        var signals = BehaviorSignals.None(learnedAt);
        for (var week = 0; week < 6; week++)
        {
            signals = signals.With(CustomerResponse.Shown, learnedAt).With(CustomerResponse.Clicked, learnedAt);
        }

        var cold = BehaviorAnalyzer.Analyze(profile, 0.9, null);
        var browsing = BehaviorAnalyzer.Analyze(profile, 0.9, signals);
        var yearsLater = BehaviorAnalyzer.Analyze(profile, 0.9, signals.DecayedTo(learnedAt.AddDays(3 * 365)));

        Assert.NotEqual(PriceSensitivity.High, cold.PriceSensitivity);
        Assert.Equal(PriceSensitivity.High, browsing.PriceSensitivity);
        Assert.True(browsing.ConversionProbability < cold.ConversionProbability);

        // Twelve half-lives on, six responses weigh about a thousandth of one: the customer is judged as before.
        Assert.Equal(cold.PriceSensitivity, yearsLater.PriceSensitivity);
        Assert.Equal(6 * Math.Pow(0.5, 3 * 365 / BehaviorSignals.HalfLifeDays), signals.DecayedTo(learnedAt.AddDays(3 * 365)).OffersShown, 9);
    }

    [Fact]
    public void Terms_a_customer_walked_away_from_convert_less_and_applying_at_that_rate_ends_the_resistance()
    {
        var profile = TestData.Qualified();
        var at = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
        var walked = BehaviorSignals.None(at).With(CustomerResponse.Shown, at).With(CustomerResponse.Clicked, at).ClickedAt(7.5m, 40_000m);
        var behavior = BehaviorAnalyzer.Analyze(profile, 0.9, walked);
        var risk = new RiskAssessment(0.2, 7.5m, 6m, 10m, 4m, 0.01);

        Assert.Equal((7.5m, 40_000m), (behavior.ResistedRoi, behavior.ResistedAmount));
        var resisted = OfferOptimizer.Conversion(behavior, risk, 7.5m, 40_000m, 60, 50_000m, null, null, 60);
        var smaller = OfferOptimizer.Conversion(behavior, risk, 7.5m, 30_000m, 60, 50_000m, null, null, 60);
        var unmarked = OfferOptimizer.Conversion(behavior with { ResistedRoi = null }, risk, 7.5m, 40_000m, 60, 50_000m, null, null, 60);

        // One walk-away: resistance 1 / 1.5, so the same terms convert 40% less and a smaller loan not at all less.
        Assert.Equal(unmarked * (1 - 0.6 * (1 / 1.5)), resisted, 3);
        Assert.Equal(unmarked * (0.85 + 0.15 * 0.6) / (0.85 + 0.15 * 0.8), smaller, 3);
        Assert.Null(BehaviorAnalyzer.Analyze(profile, 0.9, walked.With(CustomerResponse.Applied, at).AppliedAt(7.5m)).ResistedRoi);
    }
}
