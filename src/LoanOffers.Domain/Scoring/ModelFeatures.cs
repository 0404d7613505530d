namespace LoanOffers.Domain;

/// <summary>
/// The model inputs seed 000 names, encoded as floats:
/// <list type="bullet">
/// <item><c>credit_score</c>: the score (300-850).</item>
/// <item><c>income</c>: annual income in dollars.</item>
/// <item><c>debt_to_income</c>: ratio (0.28 = 28%).</item>
/// <item><c>payment_history</c>: months of the last 12 without a late payment (12 = perfect).</item>
/// <item><c>account_age</c>: account age in months.</item>
/// <item><c>deposit_balance</c>: dollars.</item>
/// <item><c>transaction_patterns</c>: 0 stable, 1 irregular, 2 declining (ordered by risk).</item>
/// <item><c>savings_rate</c>: ratio of income saved.</item>
/// </list>
/// </summary>
public static class ModelFeatures
{
    public const string CreditScore = "credit_score";
    public const string Income = "income";
    public const string DebtToIncome = "debt_to_income";
    public const string PaymentHistory = "payment_history";
    public const string AccountAge = "account_age";
    public const string DepositBalance = "deposit_balance";
    public const string TransactionPatterns = "transaction_patterns";
    public const string SavingsRate = "savings_rate";

    public static readonly IReadOnlyList<string> Names =
        [CreditScore, Income, DebtToIncome, PaymentHistory, AccountAge, DepositBalance, TransactionPatterns, SavingsRate];

    /// <summary>
    /// The statement of a principal reason when <paramref name="feature"/> lowered the approval score, in the words
    /// Regulation B's sample notices use where one fits.
    /// </summary>
    public static string ReasonStatement(string feature) => feature switch
    {
        CreditScore => "Credit score below that of typical approved applicants",
        Income => "Income insufficient for the amount of credit",
        DebtToIncome => "Excessive obligations in relation to income",
        PaymentHistory => "Delinquent past or present credit obligations",
        AccountAge => "Length of relationship with the bank",
        DepositBalance => "Insufficient deposit balances",
        TransactionPatterns => "Irregular or declining account activity",
        SavingsRate => "Low savings relative to income",
        _ => $"Value of {feature}",
    };

    /// <summary>The reason code of a feature that lowered the approval score, e.g. <c>SCORE_DEBT_TO_INCOME</c>.</summary>
    public static string ReasonCode(string feature) => "SCORE_" + feature.ToUpperInvariant();

    /// <summary>Writes the named features of <paramref name="profile"/>, in order, to the start of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">A name is unknown, or <paramref name="destination"/> is too short.</exception>
    public static void Extract(CustomerProfile profile, IReadOnlyList<string> featureNames, Span<float> destination)
    {
        if (destination.Length < featureNames.Count)
        {
            throw new ArgumentException($"Destination holds {destination.Length} values; {featureNames.Count} features were asked for.", nameof(destination));
        }

        for (var i = 0; i < featureNames.Count; i++)
        {
            destination[i] = featureNames[i] switch
            {
                CreditScore => profile.CreditScore,
                Income => (float)profile.AnnualIncome,
                DebtToIncome => (float)profile.DebtToIncome,
                PaymentHistory => 12 - Math.Clamp(profile.LatePaymentsLast12Months, 0, 12),
                AccountAge => profile.AccountAgeMonths,
                DepositBalance => (float)profile.DepositBalance,
                TransactionPatterns => (float)profile.TransactionPattern,
                SavingsRate => (float)profile.SavingsRate,
                var name => throw new ArgumentException($"Unknown model feature '{name}'.", nameof(featureNames)),
            };
        }
    }
}
