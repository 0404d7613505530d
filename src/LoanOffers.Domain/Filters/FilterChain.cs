namespace LoanOffers.Domain;

/// <summary>The program's filters in configured <c>order</c>; the first rejection ends the evaluation.</summary>
public sealed class FilterChain
{
    private readonly CustomerFilter[] _filters;

    private FilterChain(CustomerFilter[] filters) => _filters = filters;

    /// <summary>Filter ids in the order they run.</summary>
    public IReadOnlyList<string> FilterIds => [.. _filters.Select(f => f.FilterId)];

    /// <exception cref="ArgumentException">A filter type is unknown (configs from <see cref="ProgramConfigParser"/> never have one).</exception>
    public static FilterChain Create(ProgramConfig program)
    {
        var limits = LendingLimits.For(program);
        var filters = program.FilterChain
            .OrderBy(f => f.Order)
            .Select(f => (CustomerFilter)(FilterKinds.Resolve(f.Type, f.FilterId) switch
            {
                FilterKind.Trust => new TrustFilter(f.FilterId),
                FilterKind.CreditQualification => new CreditQualificationFilter(f.FilterId, f.Parameters),
                FilterKind.Affordability => new AffordabilityFilter(f.FilterId, f.Parameters, limits, program.LoanOfferStrategy),
                FilterKind.Eligibility => new EligibilityFilter(f.FilterId, f.Parameters),
                FilterKind.RegulatoryCompliance => new RegulatoryComplianceFilter(f.FilterId, f.Parameters, program.IsUsOnly),
                _ => throw new ArgumentException($"Filter '{f.FilterId}' has unknown type '{f.Type}'.", nameof(program)),
            }))
            .ToArray();
        return new FilterChain(filters);
    }

    /// <summary>Every filter's rejection, in the chain's order (its order of weight); empty when the customer passes.</summary>
    public IReadOnlyList<FilterResult> EvaluateAll(CustomerProfile profile, DateTimeOffset now) =>
        [.. _filters.Select(filter => filter.Evaluate(profile, now)).Where(result => !result.Passed)];

    public FilterResult Evaluate(CustomerProfile profile, DateTimeOffset now)
    {
        foreach (var filter in _filters)
        {
            var result = filter.Evaluate(profile, now);
            if (!result.Passed)
            {
                return result;
            }
        }

        return FilterResult.Pass;
    }
}
