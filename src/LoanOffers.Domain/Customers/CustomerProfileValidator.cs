using Orleans;

namespace LoanOffers.Domain;

/// <summary>A value that cannot be right, named by its camelCase field so APIs can report it as is.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.FieldError")]
public sealed record FieldError(string Field, string Message);

/// <summary>
/// Rejects impossible profiles (data errors), not unattractive ones: those are the filter chain's job.
/// </summary>
public static class CustomerProfileValidator
{
    public const int MinCreditScore = 300;
    public const int MaxCreditScore = 850;

    /// <summary>DTI can exceed 1 for over-indebted customers; above 5 it is a unit mistake (percent for ratio).</summary>
    public const decimal MaxDebtToIncome = 5m;

    public static IReadOnlyList<FieldError> Validate(CustomerProfile profile)
    {
        var errors = new List<FieldError>();

        void Check(bool valid, string field, string message)
        {
            if (!valid)
            {
                errors.Add(new FieldError(field, message));
            }
        }

        Check(!string.IsNullOrWhiteSpace(profile.CustomerId), "customerId", "is required");
        Check(profile.CustomerId is null || profile.CustomerId.Length <= 64, "customerId", "must be at most 64 characters");
        Check(profile.CreditScore is >= MinCreditScore and <= MaxCreditScore, "creditScore",
            $"must be between {MinCreditScore} and {MaxCreditScore}");
        Check(profile.AnnualIncome >= 0, "annualIncome", "must not be negative");
        Check(profile.DebtToIncome is >= 0 and <= MaxDebtToIncome, "debtToIncome",
            $"must be a ratio between 0 and {MaxDebtToIncome}");
        Check(profile.AccountAgeMonths >= 0, "accountAgeMonths", "must not be negative");
        Check(profile.DepositBalance >= 0, "depositBalance", "must not be negative");
        Check(profile.ExistingLoans >= 0, "existingLoans", "must not be negative");
        Check(profile.LatePaymentsLast12Months is >= 0 and <= 12, "latePaymentsLast12Months",
            "must be between 0 and 12");
        Check(profile.MonthsEmployed >= 0, "monthsEmployed", "must not be negative");
        Check(profile.SavingsRate is >= 0 and <= 1, "savingsRate", "must be a ratio between 0 and 1");
        Check(Enum.IsDefined(profile.EmploymentStatus), "employmentStatus", "is not a known value");
        Check(Enum.IsDefined(profile.IncomeStability), "incomeStability", "is not a known value");
        Check(Enum.IsDefined(profile.AccountStatus), "accountStatus", "is not a known value");
        Check(Enum.IsDefined(profile.TransactionPattern), "transactionPattern", "is not a known value");
        // Format only: whether the state is one the program may lend in is the regulatory filter's decision.
        Check(profile.State is { Length: 2 } state && char.IsAsciiLetterUpper(state[0]) && char.IsAsciiLetterUpper(state[1]),
            "state", "must be a two-letter upper-case code");
        Check(profile.DateOfBirth.Year >= 1900, "dateOfBirth", "is not plausible");
        return errors;
    }
}
