using LoanOffers.Domain;
using LoanOffers.Scoring.Models;
using LoanOffers.Scoring.Training;
using Microsoft.Extensions.Logging.Abstractions;

namespace LoanOffers.Scoring.Tests;

public class RetrainingTests
{
    [Fact]
    public void Promotes_only_a_better_model_and_keeps_the_old_version_for_rollback()
    {
        // The served model learned from 400 rows with two stumps: outcomes from 4,000 rows should beat it.
        using var scratch = new ScratchFolder();
        var store = new ModelStore(scratch.Path);
        store.Add(TestModels.Train(TestModels.ApprovalId, "1", SyntheticHistory.ApprovedLabel, SyntheticHistory.ApprovalFeatures,
            new TrainerOptions { Trees = 2, Leaves = 2, MinRowsPerLeaf = 5 }, rows: 400));
        using var registry = new OnnxCreditModelRegistry(store, NullLogger.Instance, Timeout.InfiniteTimeSpan, TimeSpan.FromMinutes(1));
        var retrainer = new ModelRetrainer(store, NullLogger.Instance, registry, TestModels.FastOptions);

        var promoted = retrainer.Retrain(TestModels.ApprovalId, OutcomesCsv());

        Assert.True(promoted.Promoted, promoted.Reason);
        Assert.True(promoted.Candidate.Metrics.Auc > promoted.CurrentMetrics.Auc);
        Assert.Equal(promoted.Candidate.HeldOutRows, promoted.CurrentMetrics.Rows);
        Assert.Equal("2", store.ActiveVersion(TestModels.ApprovalId));
        Assert.Equal("2", registry.Get(TestModels.ApprovalId).Version);

        var weak = new ModelRetrainer(store, NullLogger.Instance, registry, new TrainerOptions { Trees = 1, Leaves = 2 });
        var kept = weak.Retrain(TestModels.ApprovalId, OutcomesCsv());

        Assert.False(kept.Promoted, kept.Reason);
        Assert.Equal(["1", "2"], store.Versions(TestModels.ApprovalId));
        Assert.Equal("2", registry.Get(TestModels.ApprovalId).Version);

        Assert.Equal("1", store.Rollback(TestModels.ApprovalId));
        registry.Reload();
        Assert.Equal("1", registry.Get(TestModels.ApprovalId).Version);
    }

    [Fact]
    public void Recorded_outcomes_train_an_approval_model_on_its_own_features_and_no_other_kind()
    {
        using var scratch = new ScratchFolder();
        var store = new ModelStore(scratch.Path);
        store.Add(TestModels.Train(TestModels.ApprovalId, "1", SyntheticHistory.ApprovedLabel, SyntheticHistory.ApprovalFeatures,
            new TrainerOptions { Trees = 2, Leaves = 2, MinRowsPerLeaf = 5 }, rows: 400));
        store.Add(TestModels.Train(TestModels.DefaultId, "1", SyntheticHistory.DefaultedLabel, SyntheticHistory.DefaultFeatures, TestModels.FastOptions, rows: 400));
        var retrainer = new ModelRetrainer(store, NullLogger.Instance, trainerOptions: TestModels.FastOptions);
        var recorded = TestModels.History.Select(row =>
        {
            var features = new float[ModelFeatures.Names.Count];
            ModelFeatures.Extract(row.Profile, ModelFeatures.Names, features);
            return new LabelledOutcome(row.Profile.CustomerId, features, row.Approved);
        }).ToList();

        var result = retrainer.Retrain(TestModels.ApprovalId, recorded);

        Assert.True(result.Promoted, result.Reason);
        Assert.Equal(SyntheticHistory.ApprovalFeatures, result.Candidate.Features);
        Assert.Equal(recorded.Count, result.Candidate.TrainingRows + result.Candidate.HeldOutRows);
        var refused = Assert.Throws<InvalidDataException>(() => retrainer.Retrain(TestModels.DefaultId, recorded));
        Assert.Contains("label only 'approved'", refused.Message);
    }

    private static StringReader OutcomesCsv()
    {
        var csv = new StringWriter();
        SyntheticHistory.WriteCsv(csv, TestModels.History);
        return new StringReader(csv.ToString());
    }
}
