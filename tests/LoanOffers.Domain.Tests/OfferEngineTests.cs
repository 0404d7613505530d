namespace LoanOffers.Domain.Tests;

public class OfferEngineTests
{
    private static OfferRequest Request(CustomerProfile? profile = null, OfferSegment? segment = null, decimal? amount = null, int? tenure = null, double defaultProbability = 0.01)
    {
        profile ??= TestData.Qualified();
        segment ??= TestData.Excellent;
        return new OfferRequest
        {
            Profile = profile,
            Segment = segment,
            Risk = RiskAssessor.Assess(profile, defaultProbability, segment),
            Behavior = BehaviorAnalyzer.Analyze(profile, 0.85, null),
            ProgramId = "loan-offer-targeting",
            ProgramVersion = 1,
            RequestedAmount = amount,
            RequestedTenure = tenure,
            Now = TestData.Now,
        };
    }

    [Fact]
    public void Offers_are_ranked_by_expected_value_and_priced_consistently()
    {
        var set = OfferEngine.BuildOffers(Request());

        Assert.Null(set.NoOfferReason);
        Assert.Empty(set.Adjustments);
        // 3 shares of the cap x tenures 36/48/60 (the excellent term and two yearly steps below).
        Assert.Equal(9, set.Offers.Count);
        Assert.Equal(Enumerable.Range(1, 9), set.Offers.Select(o => o.Rank));
        Assert.Equal(set.Offers.OrderByDescending(o => o.ExpectedValue).Select(o => o.OfferId), set.Offers.Select(o => o.OfferId));
        Assert.Equal([36, 48, 60], set.Offers.Select(o => o.Tenure).Distinct().Order());
        Assert.All(set.Offers, o =>
        {
            Assert.InRange(o.Amount, 1_000m, 50_000m);
            Assert.Equal(LoanMath.MonthlyPayment(o.Amount, o.Roi, o.Tenure), o.MonthlyPayment);
            Assert.Equal(o.MonthlyPayment * o.Tenure, o.TotalRepayable);
            Assert.Equal(LoanMath.RoundMoney(o.Amount * 0.015m), o.ProcessingFee);
            Assert.True(o.Apr > o.Roi);
            Assert.Equal("excellent", o.Tier);
            Assert.Equal(TestData.Now.AddDays(90), o.ExpiresAt);
            Assert.StartsWith("OF-", o.OfferId);
        });
        Assert.Equal(50_000m, set.Offers[0].Amount);
    }

    [Fact]
    public void Offer_ids_are_deterministic()
    {
        Assert.Equal(OfferEngine.BuildOffers(Request()).Offers.Select(o => o.OfferId), OfferEngine.BuildOffers(Request()).Offers.Select(o => o.OfferId));
        Assert.Equal(9, OfferEngine.BuildOffers(Request()).Offers.Select(o => o.OfferId).Distinct().Count());
    }

    [Fact]
    public void Risk_prices_the_rate_inside_its_band()
    {
        var safe = RiskAssessor.Assess(TestData.Qualified() with { CreditScore = 820 }, 0.002, TestData.Excellent);
        var risky = RiskAssessor.Assess(TestData.Qualified() with { CreditScore = 700, DebtToIncome = 0.40m }, 0.06, TestData.Good);

        Assert.True(safe.RiskScore < risky.RiskScore);
        Assert.Equal(5.0m, safe.MinRoi);
        Assert.True(risky.BaseRoi > TestData.Good.InterestRate);
        Assert.True(risky.MinRoi <= risky.BaseRoi && risky.BaseRoi <= risky.MaxRoi);
        Assert.Equal(risky.MaxRoi - risky.MinRoi, risky.RiskRange);
        Assert.Equal(risky.MinRoi + 0.25m * risky.RiskRange, OfferOptimizer.TargetRoi(risky, PriceSensitivity.High), 2);
        Assert.Equal(risky.BaseRoi, OfferOptimizer.TargetRoi(risky, PriceSensitivity.Medium));
        Assert.All([safe, risky], risk => Assert.True(OfferOptimizer.TargetRoi(risk, PriceSensitivity.High) <= OfferOptimizer.TargetRoi(risk, PriceSensitivity.Medium)));
    }

    [Fact]
    public void Amounts_never_exceed_what_the_customer_can_afford()
    {
        // Headroom (0.43 - 0.35) x 45,000 / 12 = 300 a month: far below the 50,000 tier cap.
        var profile = TestData.Qualified() with { AnnualIncome = 45_000m, DebtToIncome = 0.35m };

        var set = OfferEngine.BuildOffers(Request(profile));

        Assert.NotEmpty(set.Offers);
        Assert.All(set.Offers, o => Assert.True(o.MonthlyPayment <= 300m, $"{o.Amount} over {o.Tenure} costs {o.MonthlyPayment}"));
        Assert.All(set.Offers, o => Assert.True(o.Amount < 20_000m));
    }

    [Fact]
    public void Requested_amount_above_the_cap_is_capped_with_a_note()
    {
        var set = OfferEngine.BuildOffers(Request(amount: 80_000m, tenure: 60));

        Assert.All(set.Offers, o => Assert.True(o.Amount <= 50_000m));
        Assert.Equal(50_000m, set.Offers.Max(o => o.Amount));
        var note = Assert.Single(set.Adjustments);
        Assert.Equal("REQUESTED_AMOUNT_ABOVE_TIER_MAX", note.Code);
        Assert.Contains("$80,000.00", note.Message);
    }

    [Fact]
    public void Offers_are_built_around_the_requested_amount_and_tenure()
    {
        var set = OfferEngine.BuildOffers(Request(amount: 20_000m, tenure: 48));

        Assert.Empty(set.Adjustments);
        Assert.Equal((20_000m, 48), (set.Offers[0].Amount, set.Offers[0].Tenure));
        Assert.Equal([16_000m, 20_000m, 24_000m], set.Offers.Select(o => o.Amount).Distinct().Order());
        Assert.Equal([36, 48, 60], set.Offers.Select(o => o.Tenure).Distinct().Order());
    }

    [Fact]
    public void Requests_outside_the_tier_or_affordability_are_clamped_and_reported()
    {
        var tooLong = OfferEngine.BuildOffers(Request(amount: 10_000m, tenure: 84));
        Assert.Contains(tooLong.Adjustments, a => a.Code == "REQUESTED_TENURE_ABOVE_MAX");
        Assert.All(tooLong.Offers, o => Assert.True(o.Tenure <= 60));

        var tooSmall = OfferEngine.BuildOffers(Request(amount: 500m));
        Assert.Contains(tooSmall.Adjustments, a => a.Code == "REQUESTED_AMOUNT_BELOW_MIN");
        Assert.All(tooSmall.Offers, o => Assert.True(o.Amount >= 1_000m));

        var stretched = TestData.Qualified() with { AnnualIncome = 45_000m, DebtToIncome = 0.35m };
        var unaffordable = OfferEngine.BuildOffers(Request(stretched, amount: 40_000m, tenure: 60));
        Assert.Contains(unaffordable.Adjustments, a => a.Code == "REQUESTED_AMOUNT_ABOVE_AFFORDABLE");
        Assert.All(unaffordable.Offers, o => Assert.True(o.MonthlyPayment <= 300m));
    }

    [Fact]
    public void Falls_back_to_the_minimum_loan_at_the_longest_tenure_then_to_no_offer()
    {
        // Headroom 0.002 x 120,000 / 12 = 20 a month: about 1,000 over 60 months, but under 1,000 over 12 to 36,
        // so nothing fits around a requested 24 months.
        var thin = TestData.Qualified() with { DebtToIncome = 0.428m };
        var fallback = OfferEngine.BuildOffers(Request(thin, amount: 5_000m, tenure: 24));
        var offer = Assert.Single(fallback.Offers);
        Assert.Equal((1_000m, 60, 1), (offer.Amount, offer.Tenure, offer.Rank));
        Assert.Contains(fallback.Adjustments, a => a.Code == "FALLBACK_OFFER");

        var none = OfferEngine.BuildOffers(Request(TestData.Qualified() with { DebtToIncome = 0.43m }));
        Assert.Empty(none.Offers);
        Assert.Contains("below the minimum", none.NoOfferReason);
    }

    [Fact]
    public void Value_floor_drops_offers_that_lose_money()
    {
        // A 60% annual default probability cannot be priced inside the band.
        var set = OfferEngine.BuildOffers(Request(defaultProbability: 0.6));

        Assert.Empty(set.Offers);
        Assert.Contains("margin", set.NoOfferReason);
    }

    [Fact]
    public void The_exact_amount_and_tenure_asked_for_come_first_and_are_marked_as_the_match()
    {
        var set = OfferEngine.BuildOffers(Request(amount: 20_000m, tenure: 36));

        var first = set.Offers[0];
        Assert.Equal((20_000m, 36, 1), (first.Amount, first.Tenure, first.Rank));
        Assert.Equal(first.OfferId, set.MatchedOfferId);
        Assert.Equal(Enumerable.Range(1, set.Offers.Count), set.Offers.Select(o => o.Rank));
        Assert.Equal(set.Offers.Skip(1).OrderByDescending(o => o.ExpectedValue).Select(o => o.OfferId), set.Offers.Skip(1).Select(o => o.OfferId));
        Assert.All(set.Offers, o => Assert.Equal("loan-offer-targeting", o.ProgramId));
    }

    [Fact]
    public void A_request_that_cannot_be_offered_as_asked_has_no_match()
    {
        var aboveCap = OfferEngine.BuildOffers(Request(amount: 500_000m, tenure: 36));
        var amountOnly = OfferEngine.BuildOffers(Request(amount: 20_000m));

        Assert.NotEmpty(aboveCap.Offers);
        Assert.Null(aboveCap.MatchedOfferId);
        Assert.Null(amountOnly.MatchedOfferId);
    }
}
