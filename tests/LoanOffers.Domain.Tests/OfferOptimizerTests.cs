namespace LoanOffers.Domain.Tests;

public sealed class OfferOptimizerTests
{
    /// <summary>The step-by-step search the halving search must agree with.</summary>
    private static decimal? LowestRateByScan(decimal principal, decimal roi, int months, decimal fee, RiskAssessment risk)
    {
        for (var rate = roi; rate <= risk.MaxRoi; rate += 0.05m)
        {
            if (OfferOptimizer.Economics(principal, rate, months, fee, risk.DefaultProbability).Margin >= OfferOptimizer.MinMarginRate * principal)
            {
                return rate;
            }
        }

        return null;
    }

    [Theory]
    [InlineData(0.001)]
    [InlineData(0.02)]
    [InlineData(0.08)]
    [InlineData(0.2)]
    public void Value_preservation_finds_the_same_rate_as_a_step_by_step_scan(double defaultProbability)
    {
        var risk = new RiskAssessment(0.3, 6.5m, 5.0m, 12.0m, 7.0m, defaultProbability);
        var cases = 0;
        foreach (var principal in new[] { 1_000m, 5_000m, 15_000m, 30_000m, 50_000m })
        {
            foreach (var months in new[] { 12, 24, 36, 48, 60 })
            {
                foreach (var roi in new[] { 4.0m, 5.0m, 5.55m, 7.25m, 11.95m, 12.0m, 12.5m })
                {
                    var fee = LoanMath.RoundMoney(principal * 0.015m);
                    Assert.Equal(LowestRateByScan(principal, roi, months, fee, risk), OfferOptimizer.PreserveValue(principal, roi, months, fee, risk));
                    cases++;
                }
            }
        }

        Assert.Equal(175, cases);
    }

    [Fact]
    public void A_rate_above_the_band_keeps_no_value()
    {
        var risk = new RiskAssessment(0.3, 6.5m, 5.0m, 8.0m, 3.0m, 0.01);

        Assert.Null(OfferOptimizer.PreserveValue(10_000m, 8.05m, 36, 150m, risk));
    }
}
