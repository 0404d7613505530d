using LoanOffers.Scoring.Training;

namespace LoanOffers.Scoring.Tests;

public class ParityTests
{
    [Fact]
    public void Onnx_runtime_probabilities_equal_ml_net_on_held_out_rows()
    {
        foreach (var model in new[] { TestModels.Approval, TestModels.Default })
        {
            Assert.True(model.HeldOut.Rows > 500, $"{model.HeldOut.Rows} held-out rows");
            Assert.Equal(model.HeldOut.Rows, model.OnnxProbabilities.Length);
            var worst = model.MlNetProbabilities.Zip(model.OnnxProbabilities, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(worst <= 1e-5, $"{model.Card.ModelId}: max |ONNX - ML.NET| = {worst}");
            Assert.Equal(worst, model.Card.ParityMaxAbsDifference, 1e-12);
            // Not a constant model: the parity above covers real spread.
            Assert.True(model.OnnxProbabilities.Max() - model.OnnxProbabilities.Min() > 0.3);
        }
    }

    [Fact]
    public void Held_out_auc_approaches_the_ground_truth()
    {
        foreach (var model in new[] { TestModels.Approval, TestModels.Default })
        {
            var truth = model.Card.GroundTruth!;
            Assert.True(model.Card.Metrics.Auc > truth.Auc - 0.05, $"{model.Card.ModelId}: AUC {model.Card.Metrics.Auc:F3} vs ground truth {truth.Auc:F3}");
            Assert.True(model.Card.Metrics.Auc <= truth.Auc + 0.02, $"{model.Card.ModelId}: AUC {model.Card.Metrics.Auc:F3} above ground truth {truth.Auc:F3}");
            Assert.Equal(10, model.Card.Metrics.CalibrationByDecile.Count);
        }
    }
}
