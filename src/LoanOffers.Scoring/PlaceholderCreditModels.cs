using LoanOffers.Domain;

namespace LoanOffers.Scoring;

/// <summary>
/// PLACEHOLDER models, named as such in every decision they score (version "placeholder-logistic-1"): fixed
/// logistic formulas over the seed's eight features that approximate the synthetic data's ground truth. They stand
/// in until trained ONNX models are registered; nothing here was trained.
/// </summary>
public sealed class PlaceholderCreditModelRegistry : ICreditModelRegistry
{
    public const string PlaceholderVersion = "placeholder-logistic-1";

    /// <summary>A model whose id names "default" plays the default-risk model; any other, the approval model.</summary>
    public ICreditModel Get(string modelId) =>
        modelId.Contains("default", StringComparison.OrdinalIgnoreCase)
            ? new PlaceholderModel(modelId, ModelRoles.DefaultRisk, DefaultLogit)
            : new PlaceholderModel(modelId, ModelRoles.Approval, ApprovalLogit);

    public ICreditModel? Find(string modelId) => Get(modelId);

    // Feature order is ModelFeatures.Names: credit_score, income, debt_to_income, payment_history,
    // account_age, deposit_balance, transaction_patterns, savings_rate.
    private static double ApprovalLogit(ReadOnlySpan<float> x) =>
        1.2 * (x[0] - 720) / 40.0
        + 4.0 * (0.25 - x[2])
        + 3.0 * (x[7] - 0.1)
        + 0.2 * Math.Log(Math.Max(1.0, x[1]) / 70_000.0)
        - 0.8 * (12 - x[3])
        - 0.35 * x[6];

    private static double DefaultLogit(ReadOnlySpan<float> x) =>
        -4.2
        - 1.5 * (x[0] - 700) / 50.0
        + 3.0 * (x[2] - 0.3)
        + 0.6 * (12 - x[3])
        - 2.0 * x[7]
        + 0.4 * x[6];

    /// <summary>The formulas' own centre, in feature order.</summary>
    private static readonly float[] TypicalApplicant = [720, 70_000, 0.25f, 12, 60, 10_000, 0, 0.1f];

    private delegate double Logit(ReadOnlySpan<float> features);

    private sealed class PlaceholderModel(string modelId, string role, Logit logit) : ICreditModel
    {
        public string ModelId => modelId;

        public string Role => role;

        public string Version => PlaceholderVersion;

        public IReadOnlyList<string> Features => ModelFeatures.Names;

        public IReadOnlyList<float> FeatureReferences => TypicalApplicant;

        public void Score(ReadOnlySpan<float> features, int rows, Span<float> probabilities)
        {
            var width = Features.Count;
            for (var row = 0; row < rows; row++)
            {
                probabilities[row] = (float)(1 / (1 + Math.Exp(-logit(features.Slice(row * width, width)))));
            }
        }
    }
}
