namespace LoanOffers.Domain.Tests;

public class LoanMathTests
{
    [Theory]
    [InlineData(10_000, 6.0, 36, 304.22)]
    [InlineData(50_000, 5.5, 60, 955.06)]
    [InlineData(30_000, 6.5, 48, 711.45)]
    [InlineData(15_000, 7.5, 36, 466.59)]
    public void Monthly_payment_matches_hand_computed_amortisation(decimal principal, decimal rate, int months, decimal expected)
    {
        Assert.Equal(expected, LoanMath.MonthlyPayment(principal, rate, months));
    }

    [Fact]
    public void Zero_rate_payment_is_principal_over_months()
    {
        Assert.Equal(333.33m, LoanMath.MonthlyPayment(12_000m, 0m, 36));
    }

    [Fact]
    public void Apr_equals_note_rate_without_fee()
    {
        var payment = LoanMath.MonthlyPayment(10_000m, 6m, 36);

        Assert.Equal(6.000m, LoanMath.Apr(10_000m, 0m, payment, 36));
    }

    [Fact]
    public void Apr_includes_the_processing_fee()
    {
        // 2% fee on 10,000 at 6% for 36 months: 9,800 financed against 36 payments of 304.22 -> 7.362% (solved independently: 7.36195).
        var payment = LoanMath.MonthlyPayment(10_000m, 6m, 36);

        var apr = LoanMath.Apr(10_000m, 200m, payment, 36);

        Assert.True(apr > 6m);
        Assert.Equal(7.362m, apr);
    }

    [Theory]
    [InlineData(1_000, 0, 24.99, 12)]
    [InlineData(5_000, 250, 35.99, 12)]
    [InlineData(20_000, 300, 4.25, 84)]
    [InlineData(50_000, 2_500, 11.5, 60)]
    [InlineData(100_000, 500, 0.5, 120)]
    public void Apr_is_the_rate_at_which_the_payments_discount_to_the_amount_financed(decimal principal, decimal fee, decimal rate, int months)
    {
        var payment = LoanMath.MonthlyPayment(principal, rate, months);

        var apr = LoanMath.Apr(principal, fee, payment, months);

        // Half a step of the third decimal either side brackets the exact rate.
        static double PresentValue(double payment, decimal aprPercent, int months)
        {
            var monthly = (double)aprPercent / 1200;
            return payment * (1 - Math.Pow(1 + monthly, -months)) / monthly;
        }

        var financed = (double)(principal - fee);
        Assert.True(PresentValue((double)payment, apr - 0.0005m, months) >= financed);
        Assert.True(PresentValue((double)payment, apr + 0.0005m, months) <= financed);
    }

    [Fact]
    public void Max_affordable_amount_fits_the_dti_headroom_rounded_down_to_100()
    {
        // Headroom (0.43 - 0.33) x 60,000 / 12 = 500 a month; at 6% over 36 months that carries 16,435.51.
        var profile = TestData.Qualified() with { AnnualIncome = 60_000m, DebtToIncome = 0.33m };

        var amount = Affordability.MaxAffordableAmount(profile, 6m, 36, 0.43m);

        Assert.Equal(16_400m, amount);
        Assert.True(LoanMath.MonthlyPayment(amount, 6m, 36) <= 500m);
        Assert.True(LoanMath.MonthlyPayment(amount + 100m, 6m, 36) > 500m);
    }

    [Fact]
    public void No_headroom_means_nothing_is_affordable()
    {
        var profile = TestData.Qualified() with { DebtToIncome = 0.43m };

        Assert.Equal(0m, Affordability.MaxAffordableAmount(profile, 6m, 36, 0.43m));
    }
}
