using System.Text.Json;
using System.Text.Json.Serialization;
using LoanOffers.Scoring.Training;

namespace LoanOffers.Scoring.Models;

/// <summary>How the model was trained.</summary>
public sealed record TrainerSettings(string Algorithm, int Trees, int Leaves, int MinRowsPerLeaf, double LearningRate, double HeldOutFraction, int Seed);

/// <summary>How much a feature matters to a model: the held-out AUC lost when its values are shuffled.</summary>
public sealed record FeatureImportance(string Feature, double AucLoss);

/// <summary>The ground truth's own quality on the same held-out rows (synthetic data only): the best any model could reach.</summary>
public sealed record GroundTruthMetrics(double Auc, double Brier);

/// <summary>
/// What <c>model.json</c> beside <c>model.onnx</c> says about the model: identity, the features in input order (what
/// the engine extracts for it), held-out metrics, the data it learned from, and the ONNX file's own hash. The
/// registry refuses a model whose file does not match its card.
/// </summary>
public sealed record ModelCard
{
    public const string FileName = "model.json";

    public required string ModelId { get; init; }

    public required string Version { get; init; }

    public required string Label { get; init; }

    /// <summary>What the model predicts (<see cref="Domain.ModelRoles"/>): programs take their models by it.</summary>
    public required string Role { get; init; }

    public required IReadOnlyList<string> Features { get; init; }

    /// <summary>Each feature's median over the training rows, in input order: the typical applicant principal reasons compare with.</summary>
    public IReadOnlyList<float>? FeatureReferences { get; init; }

    /// <summary>The features by how much the model leans on them, most first (see <see cref="Training.CreditModelTrainer.PermutationImportance"/>).</summary>
    public IReadOnlyList<FeatureImportance>? FeatureImportance { get; init; }

    public string InputName { get; init; } = Onnx.TreeEnsembleOnnxExporter.InputName;

    public string OutputName { get; init; } = Onnx.TreeEnsembleOnnxExporter.OutputName;

    public required ModelMetrics Metrics { get; init; }

    public GroundTruthMetrics? GroundTruth { get; init; }

    /// <summary>Largest |ONNX Runtime - ML.NET| probability on the held-out rows, checked at export.</summary>
    public required double ParityMaxAbsDifference { get; init; }

    public required int TrainingRows { get; init; }

    public required int HeldOutRows { get; init; }

    public required int RejectedRows { get; init; }

    public required string DataHash { get; init; }

    public required string OnnxSha256 { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required TrainerSettings Trainer { get; init; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ModelCard FromJson(string json) =>
        JsonSerializer.Deserialize<ModelCard>(json, Json) ?? throw new JsonException("The model card is empty (null).");
}
