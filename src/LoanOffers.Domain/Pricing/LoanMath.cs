namespace LoanOffers.Domain;

public static class LoanMath
{
    /// <summary>Rounds money to cents, half away from zero, as statements show it.</summary>
    public static decimal RoundMoney(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);

    /// <summary>Level monthly payment of a fully amortising loan, in cents.</summary>
    public static decimal MonthlyPayment(decimal principal, decimal annualRatePercent, int months)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(principal);
        ArgumentOutOfRangeException.ThrowIfNegative(annualRatePercent);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(months);

        if (annualRatePercent == 0)
        {
            return RoundMoney(principal / months);
        }

        var monthlyRate = annualRatePercent / 1200m;
        return RoundMoney(principal * monthlyRate / (1m - 1m / Compound(monthlyRate, months)));
    }

    /// <summary>Present value of one dollar a month for <paramref name="months"/> months (the annuity factor).</summary>
    public static decimal AnnuityFactor(decimal annualRatePercent, int months)
    {
        if (annualRatePercent == 0)
        {
            return months;
        }

        var monthlyRate = annualRatePercent / 1200m;
        return (1m - 1m / Compound(monthlyRate, months)) / monthlyRate;
    }

    /// <summary>
    /// Annual percentage rate as TILA (Regulation Z, appendix J) defines it: the rate at which the payments
    /// discount to the amount financed, i.e. the principal less the prepaid processing fee. Percent, 3 decimals.
    /// </summary>
    public static decimal Apr(decimal principal, decimal processingFee, decimal monthlyPayment, int months)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(months);
        var amountFinanced = (double)(principal - processingFee);
        var payment = (double)monthlyPayment;
        if (amountFinanced <= 0 || payment <= 0)
        {
            throw new ArgumentException("The amount financed and the payment must be positive.");
        }

        if (payment * months <= amountFinanced)
        {
            return 0m;
        }

        // Present value falls as the rate rises, so bisection on the monthly rate always converges.
        double low = 0, high = 1;
        for (var i = 0; i < 200 && high - low > 1e-14; i++)
        {
            var mid = (low + high) / 2;
            var presentValue = payment * (1 - Math.Pow(1 + mid, -months)) / mid;
            if (presentValue > amountFinanced)
            {
                low = mid;
            }
            else
            {
                high = mid;
            }
        }

        return Math.Round((decimal)((low + high) / 2 * 1200), 3, MidpointRounding.AwayFromZero);
    }

    // Decimal keeps 28 digits, so repeated multiplication stays exact to the cent where Math.Pow would not.
    private static decimal Compound(decimal monthlyRate, int months)
    {
        var factor = 1m;
        var growth = 1m + monthlyRate;
        for (var remaining = months; remaining > 0; remaining >>= 1)
        {
            if ((remaining & 1) == 1)
            {
                factor *= growth;
            }

            growth *= growth;
        }

        return factor;
    }
}
