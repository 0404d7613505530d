using System.Security.Cryptography;
using LoanOffers.Domain;
using LoanOffers.Scoring.Models;
using LoanOffers.Scoring.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace LoanOffers.Scoring.Training;

public sealed record TrainerOptions
{
    public int Trees { get; init; } = 100;

    public int Leaves { get; init; } = 16;

    public int MinRowsPerLeaf { get; init; } = 20;

    public double LearningRate { get; init; } = 0.1;

    /// <summary>Share of rows held out for evaluation, chosen by a hash of each row's key.</summary>
    public double HeldOutFraction { get; init; } = 0.2;

    public int Seed { get; init; } = 1;

    /// <summary>Largest allowed |ONNX - ML.NET| probability on held-out rows; a larger gap fails the export.</summary>
    public double ParityTolerance { get; init; } = 1e-5;
}

/// <summary>A trained model: its ONNX bytes, its card, and the held-out rows with both runtimes' probabilities (the parity evidence).</summary>
public sealed record TrainedCreditModel(ModelCard Card, byte[] Onnx, TrainingSet HeldOut, float[] MlNetProbabilities, float[] OnnxProbabilities);

/// <summary>
/// Trains a calibrated binary FastTree model with ML.NET, exports its trees and Platt calibration to ONNX
/// (<see cref="TreeEnsembleOnnxExporter"/>), scores the held-out rows with both ML.NET and ONNX Runtime and refuses
/// the export unless they agree within <see cref="TrainerOptions.ParityTolerance"/>. Metrics are ONNX Runtime's,
/// since that is what the engine serves.
/// </summary>
public static class CreditModelTrainer
{
    private const int MinimumRows = 50;

    public static TrainedCreditModel Train(TrainingSet data, string modelId, string version, string role, TrainerOptions? options = null, int rejectedRows = 0)
    {
        if (!ModelRoles.All.Contains(role))
        {
            throw new ArgumentException($"'{role}' is not a model role ({string.Join(", ", ModelRoles.All)}).", nameof(role));
        }

        options ??= new TrainerOptions();
        var (trainRows, heldOutRows) = Split(data, options.HeldOutFraction);
        var training = data.Subset(trainRows);
        var heldOut = data.Subset(heldOutRows);
        RequireBothClasses(training, "training");
        RequireBothClasses(heldOut, "held-out");

        var ml = new MLContext(options.Seed);
        var trainer = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            LabelColumnName = nameof(MlRow.Label),
            FeatureColumnName = nameof(MlRow.Features),
            NumberOfTrees = options.Trees,
            NumberOfLeaves = options.Leaves,
            MinimumExampleCountPerLeaf = options.MinRowsPerLeaf,
            LearningRate = options.LearningRate,
        });
        var model = trainer.Fit(ToDataView(ml, training));
        var mlNetProbabilities = model.Transform(ToDataView(ml, heldOut)).GetColumn<float>("Probability").ToArray();

        var calibrated = model.Model;
        var onnx = TreeEnsembleOnnxExporter.Export(
            ToEnsemble(calibrated.SubModel.TrainedTreeEnsemble),
            new PlattCalibration(calibrated.Calibrator.Slope, calibrated.Calibrator.Offset),
            data.Features, modelId, version);

        var onnxProbabilities = new float[heldOut.Rows];
        var references = Medians(training);
        IReadOnlyList<FeatureImportance> importance;
        using (var session = new OnnxCreditModel(onnx, modelId, version, role, data.Features, references))
        {
            session.Score(heldOut.Values, heldOut.Rows, onnxProbabilities);
            importance = PermutationImportance(session, heldOut, onnxProbabilities, options.Seed);
        }

        var parity = mlNetProbabilities.Zip(onnxProbabilities, (a, b) => (double)Math.Abs(a - b)).Max();
        if (!(parity <= options.ParityTolerance))
        {
            throw new InvalidOperationException($"ONNX export of {modelId} {version} differs from ML.NET by {parity:G3} on a held-out row (tolerance {options.ParityTolerance:G3}); the model was not written.");
        }

        var metrics = ModelEvaluation.Evaluate([.. onnxProbabilities.Select(p => (double)p)], heldOut.Labels);
        var card = new ModelCard
        {
            ModelId = modelId,
            Version = version,
            Label = data.Label,
            Role = role,
            Features = [.. data.Features],
            FeatureImportance = importance,
            FeatureReferences = references,
            Metrics = metrics,
            GroundTruth = heldOut.TrueProbabilities is { } truth
                ? new GroundTruthMetrics(ModelEvaluation.Auc(truth, heldOut.Labels), ModelEvaluation.Evaluate(truth, heldOut.Labels).Brier)
                : null,
            ParityMaxAbsDifference = parity,
            TrainingRows = training.Rows,
            HeldOutRows = heldOut.Rows,
            RejectedRows = rejectedRows,
            DataHash = data.DataHash(),
            OnnxSha256 = Sha256(onnx),
            CreatedAt = DateTimeOffset.UtcNow,
            Trainer = new TrainerSettings("ML.NET FastTree binary (Platt calibrated)", options.Trees, options.Leaves, options.MinRowsPerLeaf, options.LearningRate, options.HeldOutFraction, options.Seed),
        };
        return new TrainedCreditModel(card, onnx, heldOut, mlNetProbabilities, onnxProbabilities);
    }

    /// <summary>
    /// Rows whose key hashes into the first <paramref name="heldOutFraction"/> of the range are held out. The hash
    /// (FNV-1a) depends only on the key, so retraining on a larger outcome file holds out the same customers again and
    /// a current model is never evaluated on rows it learned from.
    /// </summary>
    public static (List<int> Training, List<int> HeldOut) Split(TrainingSet data, double heldOutFraction)
    {
        var training = new List<int>();
        var heldOut = new List<int>();
        for (var row = 0; row < data.Rows; row++)
        {
            var bucket = StableKeyHash.Fnv1a(data.RowKeys[row]) % 10_000;
            (bucket < heldOutFraction * 10_000 ? heldOut : training).Add(row);
        }

        return (training, heldOut);
    }

    /// <summary>
    /// How much each feature matters to the model, largest first: the held-out AUC lost when that feature's values are
    /// shuffled among the held-out rows (the same shuffle, by <paramref name="seed"/>, every time).
    /// </summary>
    public static IReadOnlyList<FeatureImportance> PermutationImportance(ICreditModel model, TrainingSet heldOut, float[] probabilities, int seed)
    {
        var baseline = ModelEvaluation.Auc([.. probabilities.Select(p => (double)p)], heldOut.Labels);
        var width = heldOut.Features.Count;
        var shuffled = new float[heldOut.Values.Length];
        var permuted = new float[heldOut.Rows];
        var order = Enumerable.Range(0, heldOut.Rows).ToArray();
        new Random(seed).Shuffle(order);
        var importance = new List<FeatureImportance>(width);
        for (var feature = 0; feature < width; feature++)
        {
            heldOut.Values.CopyTo(shuffled, 0);
            for (var row = 0; row < heldOut.Rows; row++)
            {
                shuffled[row * width + feature] = heldOut.Values[order[row] * width + feature];
            }

            model.Score(shuffled, heldOut.Rows, permuted);
            var auc = ModelEvaluation.Auc([.. permuted.Select(p => (double)p)], heldOut.Labels);
            importance.Add(new FeatureImportance(heldOut.Features[feature], Math.Round(baseline - auc, 6)));
        }

        return [.. importance.OrderByDescending(entry => entry.AucLoss).ThenBy(entry => entry.Feature, StringComparer.Ordinal)];
    }

    /// <summary>Each feature's median over <paramref name="rows"/>.</summary>
    public static IReadOnlyList<float> Medians(TrainingSet rows) =>
        [.. Enumerable.Range(0, rows.Features.Count).Select(feature =>
        {
            var values = Enumerable.Range(0, rows.Rows).Select(row => rows.Row(row)[feature]).Order().ToArray();
            return values.Length == 0 ? 0f : values[values.Length / 2];
        })];

    public static string Sha256(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static void RequireBothClasses(TrainingSet rows, string part)
    {
        var positives = rows.Labels.Count(l => l);
        if (rows.Rows < MinimumRows || positives == 0 || positives == rows.Rows)
        {
            throw new InvalidDataException($"The {part} rows ({rows.Rows}, {positives} positive) need at least {MinimumRows} rows with both outcomes present.");
        }
    }

    private static TreeEnsemble ToEnsemble(RegressionTreeEnsemble ensemble) => new(
        [.. ensemble.Trees.Select((tree, i) =>
        {
            if (tree.CategoricalSplitFlags.Any(flag => flag))
            {
                throw new NotSupportedException("Categorical splits are not exported; FastTree trains without them unless asked.");
            }

            return new DecisionTree([.. tree.NumericalSplitFeatureIndexes], [.. tree.NumericalSplitThresholds],
                [.. tree.LeftChild], [.. tree.RightChild], [.. tree.LeafValues], ensemble.TreeWeights[i]);
        })],
        ensemble.Bias);

    private static IDataView ToDataView(MLContext ml, TrainingSet rows)
    {
        var schema = SchemaDefinition.Create(typeof(MlRow));
        schema[nameof(MlRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, rows.Features.Count);
        var data = Enumerable.Range(0, rows.Rows).Select(r => new MlRow { Features = rows.Row(r).ToArray(), Label = rows.Labels[r] });
        return ml.Data.LoadFromEnumerable(data.ToList(), schema);
    }

    private sealed class MlRow
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }
}
