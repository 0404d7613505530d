namespace LoanOffers.Domain;

public static class Affordability
{
    /// <summary>
    /// The largest principal whose payment fits the customer's debt-to-income headroom,
    /// <c>(maxDebtToIncome - DebtToIncome) x monthly income</c>, rounded down to $100; zero when there is none.
    /// </summary>
    public static decimal MaxAffordableAmount(CustomerProfile profile, decimal annualRatePercent, int months, decimal maxDebtToIncome)
    {
        var monthlyHeadroom = (maxDebtToIncome - profile.DebtToIncome) * profile.MonthlyIncome;
        if (monthlyHeadroom <= 0)
        {
            return 0m;
        }

        var principal = monthlyHeadroom * LoanMath.AnnuityFactor(annualRatePercent, months);
        return Math.Floor(principal / 100m) * 100m;
    }
}
