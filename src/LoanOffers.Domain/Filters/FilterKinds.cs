namespace LoanOffers.Domain;

public enum FilterKind { Trust, CreditQualification, Affordability, Eligibility, RegulatoryCompliance }

/// <summary>
/// Maps a configured filter to its rule. Seed 000 types three filters as <c>business-rule</c> and tells them
/// apart by id, so a <c>business-rule</c> filter is resolved by its <c>filterId</c>; the other types name the rule.
/// </summary>
public static class FilterKinds
{
    public const string BusinessRuleType = "business-rule";

    private static readonly Dictionary<string, FilterKind> ByName = new(StringComparer.Ordinal)
    {
        ["trust"] = FilterKind.Trust,
        ["credit-qualification"] = FilterKind.CreditQualification,
        ["affordability"] = FilterKind.Affordability,
        ["eligibility"] = FilterKind.Eligibility,
        ["regulatory-compliance"] = FilterKind.RegulatoryCompliance,
    };

    public static IReadOnlyCollection<string> Types => [.. ByName.Keys, BusinessRuleType];

    public static IReadOnlyCollection<string> BusinessRuleIds => [.. ByName.Keys];

    public static FilterKind? Resolve(string type, string filterId) =>
        ByName.TryGetValue(type == BusinessRuleType ? filterId : type, out var kind) ? kind : null;

    /// <summary>The parameters each rule reads, by their configuration names.</summary>
    public static IReadOnlySet<string> ParametersOf(FilterKind kind) => kind switch
    {
        FilterKind.Trust => new HashSet<string>(),
        FilterKind.CreditQualification => new HashSet<string> { "minCreditScore", "maxDebtToIncome", "minPaymentHistory" },
        FilterKind.Affordability => new HashSet<string> { "checkIncomeStability", "checkEmploymentStatus", "minMonthsEmployed", "minLoanAmount", "maxDebtToIncome" },
        FilterKind.Eligibility => new HashSet<string> { "windowDays" },
        FilterKind.RegulatoryCompliance => new HashSet<string> { "checkStateLaws", "checkFederalCompliance", "excludedStates" },
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
