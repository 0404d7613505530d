namespace LoanOffers.Domain;

/// <summary>
/// Seed 003's optimisation rules: the rate moves inside the risk band by price sensitivity, a variant must keep
/// a minimum risk-adjusted margin, and conversion responds to rate, amount and tenure.
/// </summary>
public static class OfferOptimizer
{
    /// <summary>Annual cost of the funds lent, in percent.</summary>
    public const decimal CostOfFundsPercent = 4m;

    /// <summary>Share of the exposure lost when a borrower defaults (unsecured lending).</summary>
    public const decimal LossGivenDefault = 0.6m;

    /// <summary>Value preservation: the risk-adjusted margin must be at least this share of the principal.</summary>
    public const decimal MinMarginRate = 0.01m;

    private const decimal RateStep = 0.05m;

    /// <summary>
    /// Rate-sensitive customers get a quarter of the way up from the minimum (never above the base rate, where the
    /// band is narrow below it); neutral ones the base rate; insensitive ones halfway from base to maximum.
    /// </summary>
    public static decimal TargetRoi(RiskAssessment risk, PriceSensitivity sensitivity) => Math.Round(sensitivity switch
    {
        PriceSensitivity.High => Math.Min(risk.BaseRoi, risk.MinRoi + 0.25m * (risk.MaxRoi - risk.MinRoi)),
        PriceSensitivity.Medium => risk.BaseRoi,
        _ => risk.BaseRoi + 0.5m * (risk.MaxRoi - risk.BaseRoi),
    }, 2, MidpointRounding.AwayFromZero);

    /// <summary>
    /// Interest plus fee, less the cost of funds and the expected credit loss. The loss is lifetime default
    /// probability (from the annual one) x loss given default x the average exposure of an amortising loan (half).
    /// </summary>
    public static (decimal Margin, decimal ExpectedLoss) Economics(decimal principal, decimal roi, int months, decimal processingFee, double annualDefaultProbability)
    {
        var fixedCosts = FixedCosts(principal, months, annualDefaultProbability);
        return (Margin(principal, roi, months, processingFee, fixedCosts), fixedCosts.ExpectedLoss);
    }

    /// <summary>
    /// The lowest rate on the 0.05-point grid from <paramref name="roi"/> up to the risk maximum that keeps the margin
    /// floor, or null. The margin only grows with the rate, so the grid is searched by halving, not step by step.
    /// </summary>
    public static decimal? PreserveValue(decimal principal, decimal roi, int months, decimal processingFee, RiskAssessment risk)
    {
        if (roi > risk.MaxRoi)
        {
            return null;
        }

        var fixedCosts = FixedCosts(principal, months, risk.DefaultProbability);
        var floor = MinMarginRate * principal;
        bool KeepsValue(int step) => Margin(principal, roi + step * RateStep, months, processingFee, fixedCosts) >= floor;

        // Most variants keep value at the target rate itself, which settles them with one margin.
        if (KeepsValue(0))
        {
            return roi;
        }

        var lastStep = (int)((risk.MaxRoi - roi) / RateStep);
        if (lastStep == 0 || !KeepsValue(lastStep))
        {
            return null;
        }

        int low = 1, high = lastStep;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (KeepsValue(middle))
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return roi + low * RateStep;
    }

    /// <summary>What a loan costs the bank whatever its rate: the funding at the cost of funds, and the expected loss.</summary>
    private static (decimal FundingCost, decimal ExpectedLoss) FixedCosts(decimal principal, int months, double annualDefaultProbability)
    {
        var fundingCost = LoanMath.MonthlyPayment(principal, CostOfFundsPercent, months) * months - principal;
        var lifetimeDefault = 1 - Math.Pow(1 - Math.Clamp(annualDefaultProbability, 0, 1), months / 12.0);
        return (fundingCost, LoanMath.RoundMoney((decimal)lifetimeDefault * LossGivenDefault * principal / 2));
    }

    private static decimal Margin(decimal principal, decimal roi, int months, decimal processingFee, (decimal FundingCost, decimal ExpectedLoss) fixedCosts)
    {
        var interest = LoanMath.MonthlyPayment(principal, roi, months) * months - principal;
        return LoanMath.RoundMoney(interest + processingFee - fixedCosts.FundingCost - fixedCosts.ExpectedLoss);
    }

    /// <summary>
    /// The customer's base conversion, lowered as the rate rises above base (by 5%, 12% or 25% a point for low,
    /// medium, high sensitivity), peaking at the requested amount and tenure when there are ones (steeply enough
    /// that the requested terms rank first), and otherwise
    /// slightly higher for larger amounts; rate-sensitive customers lean to longer tenures (lower payments). Terms the
    /// customer looked at and walked away from (that rate or more, for that amount or more) convert less, by up to 60% as
    /// the walk-aways mount, so a smaller or cheaper offer can rank first next time.
    /// </summary>
    public static double Conversion(BehaviorAnalysis behavior, RiskAssessment risk, decimal roi, decimal amount, int tenure, decimal cap, decimal? requestedAmount, int? requestedTenure, int maxTenure)
    {
        var elasticity = behavior.PriceSensitivity switch
        {
            PriceSensitivity.High => 0.25,
            PriceSensitivity.Medium => 0.12,
            _ => 0.05,
        };
        var rateFactor = Math.Exp(-elasticity * (double)(roi - risk.BaseRoi));
        var amountFactor = requestedAmount is { } wanted && wanted > 0
            ? Math.Max(0.3, 1 - 1.5 * (double)(Math.Abs(amount - wanted) / wanted))
            : 0.85 + 0.15 * (double)(amount / cap);
        var tenureFactor = requestedTenure is { } wantedTenure
            ? (tenure == wantedTenure ? 1.0 : 0.85)
            : behavior.PriceSensitivity == PriceSensitivity.High ? 1 + 0.05 * (tenure - maxTenure) / 12.0 : 1.0;
        var resistanceFactor = behavior.ResistedRoi is { } resistedRoi && roi >= resistedRoi && amount >= (behavior.ResistedAmount ?? 0)
            ? 1 - 0.6 * behavior.Resistance
            : 1.0;
        return Math.Round(Math.Clamp(behavior.ConversionProbability * rateFactor * amountFactor * tenureFactor * resistanceFactor, 0, 1), 4);
    }
}
