using System.Globalization;

namespace LoanOffers.Domain;

internal abstract class CustomerFilter(string filterId)
{
    public string FilterId { get; } = filterId;

    public abstract FilterResult Evaluate(CustomerProfile profile, DateTimeOffset now);

    protected FilterResult Reject(string reasonCode, string reason) => FilterResult.Reject(FilterId, reasonCode, reason);

    protected static string Percent(decimal ratio) => ratio.ToString("0.##%", CultureInfo.InvariantCulture);
}

/// <summary>Only verified identities with an active account: a pre-approval must reach the real, reachable owner.</summary>
internal sealed class TrustFilter(string filterId) : CustomerFilter(filterId)
{
    public override FilterResult Evaluate(CustomerProfile profile, DateTimeOffset now)
    {
        if (!profile.IdentityVerified)
        {
            return Reject("IDENTITY_NOT_VERIFIED", "Customer identity is not verified.");
        }

        return profile.AccountStatus == AccountStatus.Active
            ? FilterResult.Pass
            : Reject("ACCOUNT_NOT_ACTIVE", $"Account status is {profile.AccountStatus}, not Active.");
    }
}

/// <summary>
/// Credit score floor, DTI ceiling (inclusive) and clean payment history. The profile only counts late payments
/// over the last 12 months, so any positive <c>minPaymentHistory</c> requires that count to be zero.
/// </summary>
internal sealed class CreditQualificationFilter(string filterId, FilterParameters parameters) : CustomerFilter(filterId)
{
    private readonly int _minCreditScore = parameters.MinCreditScore ?? 680;
    private readonly decimal _maxDebtToIncome = parameters.MaxDebtToIncome ?? LendingLimits.DefaultMaxDebtToIncome;
    private readonly int _minPaymentHistory = parameters.MinPaymentHistory ?? 12;

    public override FilterResult Evaluate(CustomerProfile profile, DateTimeOffset now)
    {
        if (profile.CreditScore < _minCreditScore)
        {
            return Reject("CREDIT_SCORE_BELOW_MIN", $"Credit score {profile.CreditScore} is below the minimum of {_minCreditScore}.");
        }

        if (profile.DebtToIncome > _maxDebtToIncome)
        {
            return Reject("DTI_ABOVE_MAX", $"Debt-to-income {Percent(profile.DebtToIncome)} is above the maximum of {Percent(_maxDebtToIncome)}.");
        }

        return _minPaymentHistory > 0 && profile.LatePaymentsLast12Months > 0
            ? Reject("LATE_PAYMENTS", $"{profile.LatePaymentsLast12Months} late payment(s) in the last 12 months; {_minPaymentHistory} clean months are required.")
            : FilterResult.Pass;
    }
}

/// <summary>
/// Stable enough income from work or retirement, and room under the DTI ceiling for at least the smallest loan
/// at the terms of the customer's segment (the most conservative segment when none covers the credit score).
/// </summary>
internal sealed class AffordabilityFilter(string filterId, FilterParameters parameters, LendingLimits limits, LoanOfferStrategy strategy)
    : CustomerFilter(filterId)
{
    public const int DefaultMinMonthsEmployed = 6;

    private readonly bool _checkIncomeStability = parameters.CheckIncomeStability ?? true;
    private readonly bool _checkEmploymentStatus = parameters.CheckEmploymentStatus ?? true;
    private readonly int _minMonthsEmployed = parameters.MinMonthsEmployed ?? DefaultMinMonthsEmployed;

    public override FilterResult Evaluate(CustomerProfile profile, DateTimeOffset now)
    {
        if (_checkIncomeStability && profile.IncomeStability == IncomeStability.Unstable)
        {
            return Reject("INCOME_UNSTABLE", "Income is unstable.");
        }

        if (_checkEmploymentStatus)
        {
            if (profile.EmploymentStatus is EmploymentStatus.Unemployed or EmploymentStatus.Student)
            {
                return Reject("EMPLOYMENT_STATUS", $"Employment status {profile.EmploymentStatus} has no qualifying income.");
            }

            if (profile.EmploymentStatus is EmploymentStatus.Employed or EmploymentStatus.SelfEmployed && profile.MonthsEmployed < _minMonthsEmployed)
            {
                return Reject("EMPLOYMENT_TOO_SHORT", $"Employed for {profile.MonthsEmployed} month(s); at least {_minMonthsEmployed} are required.");
            }
        }

        var segment = OfferStrategy.SegmentFor(strategy, profile.CreditScore) ?? OfferStrategy.MostConservative(strategy);
        if (segment is null)
        {
            return FilterResult.Pass;
        }

        var affordable = Affordability.MaxAffordableAmount(profile, segment.InterestRate, segment.TermMonths, limits.MaxDebtToIncome);
        return affordable < limits.MinLoanAmount
            ? Reject("AFFORDABLE_AMOUNT_TOO_LOW",
                $"Largest affordable loan {affordable.ToString("N0", CultureInfo.InvariantCulture)} at {segment.InterestRate}% over {segment.TermMonths} months is below the minimum of {limits.MinLoanAmount.ToString("N0", CultureInfo.InvariantCulture)}.")
            : FilterResult.Pass;
    }
}

/// <summary>Reason codes other parts of the engine act on.</summary>
public static class FilterReasonCodes
{
    /// <summary>Offered within the contact window: no new solicitation, but offers already made still stand.</summary>
    public const string RecentOffer = "RECENT_OFFER";
}

/// <summary>
/// Prescreen opt-outs are never offered (FCRA), nor customers offered within the last <c>windowDays</c> days.
/// The window is half-open: an offer made exactly <c>windowDays</c> days ago no longer blocks a new one.
/// </summary>
internal sealed class EligibilityFilter(string filterId, FilterParameters parameters) : CustomerFilter(filterId)
{
    public const int DefaultWindowDays = 90;

    private readonly int _windowDays = parameters.WindowDays ?? DefaultWindowDays;

    public override FilterResult Evaluate(CustomerProfile profile, DateTimeOffset now)
    {
        if (profile.PrescreenOptOut)
        {
            return Reject("PRESCREEN_OPT_OUT", "Customer opted out of prescreened offers.");
        }

        return profile.LastOfferAt is { } lastOfferAt && now - lastOfferAt < TimeSpan.FromDays(_windowDays)
            ? Reject(FilterReasonCodes.RecentOffer, $"Last offer on {lastOfferAt:yyyy-MM-dd} is within the {_windowDays}-day window.")
            : FilterResult.Pass;
    }
}

/// <summary>
/// Federal: contract capacity at 18 (ECOA allows age only as to capacity). State: US programs lend only in the
/// 50 states and DC, never in excluded states, and only to customers past the state's age of majority.
/// Ages are taken on <c>now</c>'s calendar date in its own offset.
/// </summary>
internal sealed class RegulatoryComplianceFilter(string filterId, FilterParameters parameters, bool usOnly) : CustomerFilter(filterId)
{
    public const int FederalMinimumAge = 18;

    private readonly bool _checkStateLaws = parameters.CheckStateLaws ?? true;
    private readonly bool _checkFederalCompliance = parameters.CheckFederalCompliance ?? true;
    private readonly HashSet<string> _excludedStates = new(parameters.ExcludedStates ?? [], StringComparer.Ordinal);

    public override FilterResult Evaluate(CustomerProfile profile, DateTimeOffset now)
    {
        var age = profile.AgeOn(DateOnly.FromDateTime(now.DateTime));
        if (_checkFederalCompliance && age < FederalMinimumAge)
        {
            return Reject("AGE_BELOW_MINIMUM", $"Customer is {age}; the minimum age is {FederalMinimumAge}.");
        }

        if (_excludedStates.Contains(profile.State))
        {
            return Reject("STATE_EXCLUDED", $"The program does not lend in {profile.State}.");
        }

        if (!_checkStateLaws)
        {
            return FilterResult.Pass;
        }

        if (usOnly && !UsStates.Codes.Contains(profile.State))
        {
            return Reject("STATE_NOT_SERVED", $"'{profile.State}' is not a US state; the program is US only.");
        }

        var ageOfMajority = UsStates.AgeOfMajority(profile.State);
        return age < ageOfMajority
            ? Reject("AGE_BELOW_STATE_MAJORITY", $"Customer is {age}; the age of majority in {profile.State} is {ageOfMajority}.")
            : FilterResult.Pass;
    }
}
