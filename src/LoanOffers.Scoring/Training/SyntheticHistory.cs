using System.Globalization;
using CsvHelper;
using LoanOffers.Domain;

namespace LoanOffers.Scoring.Training;

/// <summary>
/// Labelled synthetic lending history for training and testing the two credit models. Customers are
/// <see cref="SyntheticCustomers"/> (every applicant, including those the filter chain would later refuse, so the
/// features span the whole population); each row's outcomes are drawn from the ground truth below, which reads only
/// the features the seed's <c>scoringModels</c> give each model, so the best achievable model is known.
/// <para><b>Approval</b> (credit_score <c>cs</c>, income, debt_to_income <c>dti</c>, payment_history; late = 12 - payment_history):
/// <c>z = 0.6 + 1.3 (cs - 700)/50 + 0.5 ln(income / 70,000) - 6 (dti - 0.30) - 8 max(0, dti - 0.43)
/// - late (0.5 + 0.5 clamp((720 - cs)/100, 0, 1)) - [cs &lt; 640]</c>: a hinge past the 43% DTI line, late payments
/// that hurt more the lower the score (an interaction), and a sub-prime cliff.</para>
/// <para><b>Default</b> (account_age <c>age</c> in months, deposit_balance <c>dep</c>, transaction_patterns <c>tp</c>, savings_rate <c>sr</c>):
/// <c>z = -1.6 - 0.9 min(age, 120)/120 - 0.45 ln(max(dep, 100) / 12,000) + 0.6 [tp = irregular] + 1.3 [tp = declining]
/// + 0.9 [tp = declining and dep &lt; 3,000] - 7 sr</c>: seasoning that stops helping after ten years, and
/// declining activity that is worse on a thin buffer (an interaction).</para>
/// <para><b>Noise</b>: each outcome is Bernoulli(sigmoid(z + e)) with an unobserved e ~ N(0, <see cref="ApprovalNoise"/>²)
/// or N(0, <see cref="DefaultNoise"/>²) per row, so no model can be certain. The best any model can do from the
/// features is P(y | x) = E[sigmoid(z + e)], which is increasing in z: its AUC is the ground truth's AUC. The
/// probability written to the file uses the probit approximation sigmoid(z / sqrt(1 + pi s² / 8)) (within about
/// 0.01; exact ranking, so the AUC is exact).</para>
/// </summary>
public static class SyntheticHistory
{
    public const string CustomerIdColumn = "customer_id";
    public const string ApprovedLabel = "approved";
    public const string DefaultedLabel = "defaulted";

    /// <summary>The suffix of the column holding a label's ground-truth probability; the trainer reports its AUC when present and never uses it as a feature.</summary>
    public const string TrueProbabilitySuffix = "_true_probability";

    public const double ApprovalNoise = 0.6;
    public const double DefaultNoise = 0.5;

    public static readonly IReadOnlyList<string> ApprovalFeatures =
        [ModelFeatures.CreditScore, ModelFeatures.Income, ModelFeatures.DebtToIncome, ModelFeatures.PaymentHistory];

    public static readonly IReadOnlyList<string> DefaultFeatures =
        [ModelFeatures.AccountAge, ModelFeatures.DepositBalance, ModelFeatures.TransactionPatterns, ModelFeatures.SavingsRate];

    public sealed record Row(CustomerProfile Profile, bool Approved, bool Defaulted, double ApprovalProbability, double DefaultProbability);

    public static IEnumerable<Row> Generate(int rows, int seed)
    {
        var x = new float[ModelFeatures.Names.Count];
        var index = 0;
        foreach (var profile in SyntheticCustomers.Generate(rows, seed))
        {
            ModelFeatures.Extract(profile, ModelFeatures.Names, x);
            var random = new Random(OutcomeStreamSeed(seed, ++index));
            var approvalLogit = ApprovalLogit(x);
            var defaultLogit = DefaultLogit(x);
            yield return new Row(
                profile,
                random.NextDouble() < Logistic(approvalLogit + ApprovalNoise * StandardNormal(random)),
                random.NextDouble() < Logistic(defaultLogit + DefaultNoise * StandardNormal(random)),
                Logistic(approvalLogit / Math.Sqrt(1 + Math.PI * ApprovalNoise * ApprovalNoise / 8)),
                Logistic(defaultLogit / Math.Sqrt(1 + Math.PI * DefaultNoise * DefaultNoise / 8)));
        }
    }

    /// <summary>Writes the history as CSV: customer id, the eight model features, both labels (0/1) and their ground-truth probabilities.</summary>
    public static void WriteCsv(TextWriter writer, IEnumerable<Row> rows)
    {
        using var csv = CsvWriter.Create(writer, CsvWriterOptions.Default with { NewLine = "\n" }, leaveOpen: true);
        csv.WriteHeader([CustomerIdColumn, .. ModelFeatures.Names, ApprovedLabel, DefaultedLabel,
            ApprovedLabel + TrueProbabilitySuffix, DefaultedLabel + TrueProbabilitySuffix]);
        var features = new float[ModelFeatures.Names.Count];
        foreach (var row in rows)
        {
            ModelFeatures.Extract(row.Profile, ModelFeatures.Names, features);
            csv.WriteRecord(
            [
                row.Profile.CustomerId,
                .. features.Select(value => value.ToString("R", CultureInfo.InvariantCulture)),
                row.Approved ? "1" : "0",
                row.Defaulted ? "1" : "0",
                row.ApprovalProbability.ToString("0.######", CultureInfo.InvariantCulture),
                row.DefaultProbability.ToString("0.######", CultureInfo.InvariantCulture),
            ]);
        }
    }

    // x is in ModelFeatures.Names order.
    private static double ApprovalLogit(ReadOnlySpan<float> x)
    {
        double creditScore = x[0], income = x[1], debtToIncome = x[2], latePayments = 12 - x[3];
        return 0.6
            + 1.3 * (creditScore - 700) / 50
            + 0.5 * Math.Log(Math.Max(income, 10_000) / 70_000)
            - 6.0 * (debtToIncome - 0.30)
            - 8.0 * Math.Max(0, debtToIncome - 0.43)
            - latePayments * (0.5 + 0.5 * Math.Clamp((720 - creditScore) / 100, 0, 1))
            - (creditScore < 640 ? 1.0 : 0);
    }

    private static double DefaultLogit(ReadOnlySpan<float> x)
    {
        double accountAge = x[4], deposit = x[5], pattern = x[6], savingsRate = x[7];
        var declining = pattern == (float)TransactionPattern.Declining;
        return -1.6
            - 0.9 * Math.Min(accountAge, 120) / 120
            - 0.45 * Math.Log(Math.Max(deposit, 100) / 12_000)
            + (pattern == (float)TransactionPattern.Irregular ? 0.6 : 0)
            + (declining ? 1.3 : 0)
            + (declining && deposit < 3_000 ? 0.9 : 0)
            - 7.0 * savingsRate;
    }

    private static double Logistic(double z) => 1 / (1 + Math.Exp(-z));

    private static double StandardNormal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    // Its own stream per row, apart from the profile's, so outcomes never shift the customers drawn.
    private static int OutcomeStreamSeed(int seed, int index)
    {
        var x = (((ulong)(uint)seed << 32) | (uint)index) ^ 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return (int)((x ^ (x >> 31)) & int.MaxValue);
    }
}
