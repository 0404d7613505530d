namespace LoanOffers.Domain;

public static class LoanMath
{
    private const int MaxNewtonSteps = 50;

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

        var (monthlyRate, paidOffShare) = Amortisation(annualRatePercent, months);
        return RoundMoney(principal * monthlyRate / paidOffShare);
    }

    /// <summary>Present value of one dollar a month for <paramref name="months"/> months (the annuity factor).</summary>
    public static decimal AnnuityFactor(decimal annualRatePercent, int months)
    {
        if (annualRatePercent == 0)
        {
            return months;
        }

        var (monthlyRate, paidOffShare) = Amortisation(annualRatePercent, months);
        return paidOffShare / monthlyRate;
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

        // Newton's method on the monthly rate from the constant-ratio estimate: present value is smooth, falling and
        // convex in the rate, so it settles in a few steps; bisection takes over should a step ever leave (0, 1).
        var rate = 2 * (payment * months - amountFinanced) / (amountFinanced * (months + 1));
        for (var i = 0; i < MaxNewtonSteps; i++)
        {
            var discount = Math.Pow(1 + rate, -months);
            var presentValue = payment * (1 - discount) / rate;
            var slope = payment * (months * discount / (1 + rate) - (1 - discount) / rate) / rate;
            var next = rate - (presentValue - amountFinanced) / slope;
            if (!(next > 0 && next < 1))
            {
                return AprByBisection(amountFinanced, payment, months);
            }

            if (Math.Abs(next - rate) < 1e-15)
            {
                return AprPercent(next);
            }

            rate = next;
        }

        return AprByBisection(amountFinanced, payment, months);
    }

    private static decimal AprByBisection(double amountFinanced, double payment, int months)
    {
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

        return AprPercent((low + high) / 2);
    }

    private static decimal AprPercent(double monthlyRate) => Math.Round((decimal)(monthlyRate * 1200), 3, MidpointRounding.AwayFromZero);

    /// <summary>
    /// The monthly rate and <c>1 - (1 + rate)^-months</c>, the share of a unit payment stream's undiscounted value that
    /// the discounting leaves. Pricing a customer's variants asks for the same few rate and tenure pairs again and again
    /// (the cost of funds and the target rate at each tenure), so each thread keeps the last few.
    /// </summary>
    private static (decimal MonthlyRate, decimal PaidOffShare) Amortisation(decimal annualRatePercent, int months)
    {
        var recent = t_recentAmortisations ??= new RecentAmortisations();
        if (!recent.TryGet(annualRatePercent, months, out var known))
        {
            var monthlyRate = annualRatePercent / 1200m;
            known = (monthlyRate, 1m - 1m / Compound(monthlyRate, months));
            recent.Add(annualRatePercent, months, known);
        }

        return known;
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

    [ThreadStatic]
    private static RecentAmortisations? t_recentAmortisations;

    private sealed class RecentAmortisations
    {
        private const int Size = 8;
        private readonly (decimal AnnualRate, int Months, (decimal, decimal) Terms)[] _entries = new (decimal, int, (decimal, decimal))[Size];
        private int _count;
        private int _next;

        public bool TryGet(decimal annualRatePercent, int months, out (decimal MonthlyRate, decimal PaidOffShare) terms)
        {
            for (var i = 0; i < _count; i++)
            {
                // The same scale too, so the cached terms are the very decimals the arithmetic would give.
                if (_entries[i].Months == months && _entries[i].AnnualRate == annualRatePercent && _entries[i].AnnualRate.Scale == annualRatePercent.Scale)
                {
                    terms = _entries[i].Terms;
                    return true;
                }
            }

            terms = default;
            return false;
        }

        public void Add(decimal annualRatePercent, int months, (decimal MonthlyRate, decimal PaidOffShare) terms)
        {
            _entries[_next] = (annualRatePercent, months, terms);
            _next = (_next + 1) % Size;
            _count = Math.Min(_count + 1, Size);
        }
    }
}
