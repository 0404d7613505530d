using System.Text.Json.Nodes;
using LoanOffers.Domain;
using LoanOffers.Scoring.Models;
using LoanOffers.Scoring.Training;
using Microsoft.Extensions.Logging.Abstractions;

namespace LoanOffers.Scoring.Tests;

public class RegistryTests
{
    private static OnnxCreditModelRegistry Open(ModelStore store) =>
        new(store, NullLogger.Instance, Timeout.InfiniteTimeSpan, TimeSpan.Zero);

    [Fact]
    public void Loads_each_model_once_with_its_card_features()
    {
        using var scratch = new ScratchFolder();
        using var registry = Open(TestModels.NewStore(scratch));
        var approval = registry.Get(TestModels.ApprovalId);
        Assert.Same(approval, registry.Get(TestModels.ApprovalId));
        Assert.Equal(SyntheticHistory.ApprovalFeatures, approval.Features);
        Assert.Equal(SyntheticHistory.DefaultFeatures, registry.Get(TestModels.DefaultId).Features);
        Assert.Equal("1", approval.Version);
        var unknown = Assert.Throws<KeyNotFoundException>(() => registry.Get("loan-approval-v9"));
        Assert.Contains("loan-approval-v9", unknown.Message);
        Assert.Contains(TestModels.ApprovalId, unknown.Message);
    }

    [Fact]
    public void Shipped_demo_models_load_and_rank_customers_sensibly()
    {
        using var registry = Open(new ModelStore(TestModels.ShippedModels()));
        Assert.Equal([TestModels.DefaultId, TestModels.ApprovalId], registry.ActiveModels.Select(c => c.ModelId));
        var approval = registry.Get(TestModels.ApprovalId);
        var prime = new float[] { 800, 120_000, 0.15f, 12 };
        var subprime = new float[] { 620, 35_000, 0.45f, 9 };
        var scores = new float[2];
        approval.Score([.. prime, .. subprime], 2, scores);
        Assert.True(scores[0] > 0.9 && scores[1] < 0.2, $"prime {scores[0]}, subprime {scores[1]}");
        foreach (var card in registry.ActiveModels)
        {
            Assert.True(card.Metrics.Auc > card.GroundTruth!.Auc - 0.01, $"{card.ModelId}: {card.Metrics.Auc} vs {card.GroundTruth.Auc}");
            Assert.True(card.ParityMaxAbsDifference <= 1e-5);
        }
    }

    [Fact]
    public void A_card_listing_other_features_than_the_model_takes_is_refused_with_the_reason()
    {
        using var scratch = new ScratchFolder();
        var store = TestModels.NewStore(scratch);
        EditCard(store, TestModels.ApprovalId, card => card["features"] = new JsonArray("credit_score", "income", "debt_to_income", "payment_history", "savings_rate"));
        var failure = Assert.Throws<ModelLoadException>(() => Open(store));
        Assert.Contains("5 features", failure.Message);
        Assert.Contains("[N, 5]", failure.Message);
    }

    [Fact]
    public void A_card_with_the_features_in_another_order_is_refused()
    {
        using var scratch = new ScratchFolder();
        var store = TestModels.NewStore(scratch);
        EditCard(store, TestModels.ApprovalId, card => card["features"] = new JsonArray("income", "credit_score", "debt_to_income", "payment_history"));
        var failure = Assert.Throws<ModelLoadException>(() => Open(store));
        Assert.Contains("input order must match", failure.Message);
    }

    [Fact]
    public void A_feature_the_engine_cannot_supply_is_refused()
    {
        using var scratch = new ScratchFolder();
        var store = TestModels.NewStore(scratch);
        EditCard(store, TestModels.DefaultId, card => card["features"] = new JsonArray("account_age", "deposit_balance", "zodiac_sign", "savings_rate"));
        var failure = Assert.Throws<ModelLoadException>(() => Open(store));
        Assert.Contains("zodiac_sign", failure.Message);
    }

    [Fact]
    public void A_model_file_replaced_without_its_card_is_refused()
    {
        using var scratch = new ScratchFolder();
        var store = TestModels.NewStore(scratch);
        File.Copy(Path.Combine(store.VersionFolder(TestModels.DefaultId, "1"), ModelStore.OnnxFileName),
            Path.Combine(store.VersionFolder(TestModels.ApprovalId, "1"), ModelStore.OnnxFileName), overwrite: true);
        var failure = Assert.Throws<ModelLoadException>(() => Open(store));
        Assert.Contains("replaced without its card", failure.Message);
    }

    [Fact]
    public void A_card_naming_another_model_than_its_folder_is_refused()
    {
        using var scratch = new ScratchFolder();
        var store = TestModels.NewStore(scratch);
        EditCard(store, TestModels.ApprovalId, card => card["version"] = "7");
        var failure = Assert.Throws<ModelLoadException>(() => Open(store));
        Assert.Contains("folder says", failure.Message);
    }

    [Fact]
    public void An_activated_version_is_served_without_a_restart_and_the_old_one_finishes_its_work()
    {
        using var scratch = new ScratchFolder();
        var store = TestModels.NewStore(scratch);
        using var registry = Open(store);
        var v1 = registry.Get(TestModels.ApprovalId);
        var v2 = TestModels.Train(TestModels.ApprovalId, "2", SyntheticHistory.ApprovedLabel, SyntheticHistory.ApprovalFeatures, new TrainerOptions { Trees = 10, Leaves = 4 });
        store.Add(v2);

        registry.Reload();
        Assert.Same(v1, registry.Get(TestModels.ApprovalId));

        store.Activate(TestModels.ApprovalId, "2");
        var row = new float[] { 700, 60_000, 0.3f, 12 };
        var score = new float[1];
        v1.Score(row, 1, score);
        registry.Reload();
        var served = registry.Get(TestModels.ApprovalId);
        Assert.Equal("2", served.Version);
        served.Score(row, 1, score);
        Assert.InRange(score[0], 0, 1);

        // Past its grace (zero here) the next reload releases the old session.
        registry.Reload();
        Assert.Throws<ObjectDisposedException>(() => v1.Score(row, 1, score));
        Assert.Equal("1", store.Rollback(TestModels.ApprovalId));
        registry.Reload();
        Assert.Equal("1", registry.Get(TestModels.ApprovalId).Version);
    }

    [Fact]
    public void A_broken_new_version_is_refused_and_the_current_one_keeps_serving()
    {
        using var scratch = new ScratchFolder();
        var store = TestModels.NewStore(scratch);
        using var registry = Open(store);
        var broken = TestModels.Train(TestModels.ApprovalId, "2", SyntheticHistory.ApprovedLabel, SyntheticHistory.ApprovalFeatures, new TrainerOptions { Trees = 5, Leaves = 4 });
        store.Add(broken);
        File.WriteAllBytes(Path.Combine(store.VersionFolder(TestModels.ApprovalId, "2"), ModelStore.OnnxFileName), [1, 2, 3]);

        Assert.Throws<ModelLoadException>(() => registry.Activate(TestModels.ApprovalId, "2"));
        Assert.Equal("1", store.ActiveVersion(TestModels.ApprovalId));

        store.Activate(TestModels.ApprovalId, "2");
        registry.Reload();
        Assert.Equal("1", registry.Get(TestModels.ApprovalId).Version);
    }

    private static void EditCard(ModelStore store, string modelId, Action<JsonObject> edit)
    {
        var path = Path.Combine(store.VersionFolder(modelId, "1"), ModelCard.FileName);
        var card = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(card);
        File.WriteAllText(path, card.ToJsonString());
    }
}
