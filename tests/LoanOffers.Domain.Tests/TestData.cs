namespace LoanOffers.Domain.Tests;

internal static class TestData
{
    public static readonly DateTimeOffset Now = new(2026, 3, 2, 2, 0, 0, TimeSpan.Zero);

    public static ProgramConfig DemoProgram { get; } = ProgramConfigParser.ParseYaml(DemoPrograms.LoanOfferTargetingYaml).Config!;

    public static OfferSegment Excellent => DemoProgram.LoanOfferStrategy.Segments.Single(s => s.CreditTier == "excellent");

    public static OfferSegment Good => DemoProgram.LoanOfferStrategy.Segments.Single(s => s.CreditTier == "good");

    /// <summary>A customer who passes every filter of the demo program.</summary>
    public static CustomerProfile Qualified() => new()
    {
        CustomerId = "C0000042",
        CreditScore = 760,
        AnnualIncome = 120_000m,
        DebtToIncome = 0.20m,
        AccountAgeMonths = 72,
        DepositBalance = 15_000m,
        ExistingLoans = 1,
        LatePaymentsLast12Months = 0,
        EmploymentStatus = EmploymentStatus.Employed,
        MonthsEmployed = 48,
        IncomeStability = IncomeStability.Stable,
        IdentityVerified = true,
        AccountStatus = AccountStatus.Active,
        State = "WA",
        DateOfBirth = new DateOnly(1985, 6, 15),
        TransactionPattern = TransactionPattern.Stable,
        SavingsRate = 0.15m,
        FirstName = "Ada",
        Email = "ada@example.com",
        Phone = "+15550100",
    };
}
