using Orleans;

namespace LoanOffers.Domain;

[GenerateSerializer, Alias("loanoffers.EmploymentStatus")]
public enum EmploymentStatus { Employed, SelfEmployed, Unemployed, Retired, Student }

[GenerateSerializer, Alias("loanoffers.IncomeStability")]
public enum IncomeStability { Stable, Variable, Unstable }

[GenerateSerializer, Alias("loanoffers.AccountStatus")]
public enum AccountStatus { Active, Dormant, Frozen, Closed }

[GenerateSerializer, Alias("loanoffers.TransactionPattern")]
public enum TransactionPattern { Stable, Irregular, Declining }

/// <summary>
/// What the bank knows about one customer when it decides on an offer. Ratios are fractions (0.28 = 28%),
/// money is in dollars.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.CustomerProfile")]
public sealed record CustomerProfile
{
    [Id(0)] public required string CustomerId { get; init; }
    [Id(1)] public required int CreditScore { get; init; }
    [Id(2)] public required decimal AnnualIncome { get; init; }
    [Id(3)] public required decimal DebtToIncome { get; init; }
    [Id(4)] public required int AccountAgeMonths { get; init; }
    [Id(5)] public decimal DepositBalance { get; init; }
    [Id(6)] public int ExistingLoans { get; init; }
    [Id(7)] public int LatePaymentsLast12Months { get; init; }
    [Id(8)] public EmploymentStatus EmploymentStatus { get; init; }
    [Id(9)] public int MonthsEmployed { get; init; }
    [Id(10)] public IncomeStability IncomeStability { get; init; }
    [Id(11)] public bool IdentityVerified { get; init; }
    [Id(12)] public AccountStatus AccountStatus { get; init; }
    [Id(13)] public required string State { get; init; }
    [Id(14)] public required DateOnly DateOfBirth { get; init; }
    [Id(15)] public bool PrescreenOptOut { get; init; }
    [Id(16)] public bool EmailOptOut { get; init; }
    [Id(17)] public bool SmsOptOut { get; init; }
    [Id(18)] public bool InAppOptOut { get; init; }
    [Id(19)] public DateTimeOffset? LastOfferAt { get; init; }
    [Id(20)] public TransactionPattern TransactionPattern { get; init; }
    [Id(21)] public decimal SavingsRate { get; init; }
    [Id(22)] public string? FirstName { get; init; }
    [Id(23)] public string? Email { get; init; }
    [Id(24)] public string? Phone { get; init; }

    /// <summary>The customer's IANA time zone, for sending at its local time; derived from <see cref="State"/> when the source has none.</summary>
    [Id(25)] public string? TimeZone { get; init; }

    /// <summary>The connector's numeric columns beyond these fields, for models that use them; none when it has no others.</summary>
    [Id(26)] public ExtraFeatures? Extra { get; init; }

    public decimal MonthlyIncome => AnnualIncome / 12m;

    /// <summary>Age in whole years on the given day (a birthday counts on its date).</summary>
    public int AgeOn(DateOnly day)
    {
        var age = day.Year - DateOfBirth.Year;
        return DateOfBirth.AddYears(age) > day ? age - 1 : age;
    }
}
