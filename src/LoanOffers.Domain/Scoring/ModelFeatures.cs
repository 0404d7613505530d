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
/// Any other name is one of the connector's own columns (<see cref="CustomerProfile.Extra"/>), read through its
/// <see cref="FeatureSchema"/>.
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

    public static bool IsCore(string name) => Names.Contains(name);

    /// <summary>The names among <paramref name="featureNames"/> that neither the core fields nor <paramref name="schema"/> supply.</summary>
    public static IReadOnlyList<string> Unsupplied(IEnumerable<string> featureNames, FeatureSchema? schema) =>
        [.. featureNames.Where(name => !IsCore(name) && (schema?.PositionOf(name) ?? -1) < 0)];

    /// <summary>Writes the named core features of <paramref name="profile"/>, in order, to the start of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">A name is not a core feature, or <paramref name="destination"/> is too short.</exception>
    public static void Extract(CustomerProfile profile, IReadOnlyList<string> featureNames, Span<float> destination) =>
        Extract(profile, null, featureNames, destination);

    /// <summary>
    /// Writes the named features of <paramref name="profile"/>, in order, to the start of <paramref name="destination"/>:
    /// core fields by name, the connector's own columns through <paramref name="schema"/>.
    /// </summary>
    /// <exception cref="MissingFeatureException">A feature is neither a core field nor among the customer's columns; it is never taken as zero.</exception>
    public static void Extract(CustomerProfile profile, FeatureSchema? schema, IReadOnlyList<string> featureNames, Span<float> destination)
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
                var name => ExtraValue(profile, schema, name),
            };
        }
    }

    private static float ExtraValue(CustomerProfile profile, FeatureSchema? schema, string name)
    {
        var position = schema?.PositionOf(name) ?? -1;
        return position >= 0 && profile.Extra is { } extra && extra.SchemaId == schema!.Id && position < extra.Values.Length
            ? extra.Values[position]
            : throw new MissingFeatureException(name);
    }
}

/// <summary>A model needs a feature the customer's connector does not supply.</summary>
public sealed class MissingFeatureException(string feature)
    : Exception($"The feature '{feature}' is neither a core field nor a column of the customer's connector.")
{
    public string Feature { get; } = feature;
}
