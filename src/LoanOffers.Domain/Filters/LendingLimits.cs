using Orleans;

namespace LoanOffers.Domain;

/// <summary>
/// The debt-to-income ceiling and the smallest loan worth offering, shared by the affordability filter and
/// offer building so both size loans the same way.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.LendingLimits")]
public sealed record LendingLimits(decimal MaxDebtToIncome, decimal MinLoanAmount)
{
    /// <summary>43%: the qualified-mortgage DTI line that seed 000 also uses.</summary>
    public const decimal DefaultMaxDebtToIncome = 0.43m;

    /// <summary>Below this an instalment loan costs more to originate than it earns.</summary>
    public const decimal DefaultMinLoanAmount = 1000m;

    /// <summary>
    /// The affordability filter's <c>maxDebtToIncome</c>, else the credit filter's, else 43%; the affordability
    /// filter's <c>minLoanAmount</c>, else $1,000.
    /// </summary>
    public static readonly LendingLimits Default = new(DefaultMaxDebtToIncome, DefaultMinLoanAmount);

    public static LendingLimits For(ProgramConfig program)
    {
        FilterParameters? Of(FilterKind kind) =>
            program.FilterChain.FirstOrDefault(f => FilterKinds.Resolve(f.Type, f.FilterId) == kind)?.Parameters;

        var affordability = Of(FilterKind.Affordability);
        var credit = Of(FilterKind.CreditQualification);
        return new LendingLimits(
            affordability?.MaxDebtToIncome ?? credit?.MaxDebtToIncome ?? DefaultMaxDebtToIncome,
            affordability?.MinLoanAmount ?? DefaultMinLoanAmount);
    }
}
