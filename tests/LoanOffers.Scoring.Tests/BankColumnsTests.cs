using System.Globalization;
using System.Text;
using LoanOffers.Domain;
using LoanOffers.Scoring.Models;
using LoanOffers.Scoring.Training;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LoanOffers.Scoring.Tests;

/// <summary>A model trained on a bank's own columns, named unlike any engine field, and scored by its role.</summary>
public class BankColumnsTests
{
    private const string ModelId = "bank-approval";
    private static readonly string[] Columns = ["bureau_grade", "util_pct", "branch_visits"];
    private static readonly ProgramConfig Seed = ProgramConfigParser.ParseYaml(DemoPrograms.LoanOfferTargetingYaml).Config!;

    /// <summary>
    /// The bank's history: repayment follows the bureau grade strongly and card utilisation less; branch visits are
    /// noise. Line 3 holds a value that is not a number.
    /// </summary>
    private static string History(int rows)
    {
        var random = new Random(17);
        var csv = new StringBuilder("id,bureau_grade,util_pct,branch_visits,repaid\n");
        for (var row = 0; row < rows; row++)
        {
            var grade = random.Next(1, 11);
            var utilisation = random.NextDouble() * 100;
            var logit = 1.2 * (grade - 5.5) - 0.04 * (utilisation - 50);
            var repaid = random.NextDouble() < 1 / (1 + Math.Exp(-logit));
            var shownUtilisation = row == 1 ? "n/a" : utilisation.ToString("F1", CultureInfo.InvariantCulture);
            csv.Append(CultureInfo.InvariantCulture, $"A{row:D5},{grade},{shownUtilisation},{random.Next(0, 6)},{(repaid ? 1 : 0)}\n");
        }

        return csv.ToString();
    }

    private static TrainedCreditModel TrainBankModel()
    {
        var read = TrainingCsv.Read(new StringReader(History(3_000)), "repaid");
        return CreditModelTrainer.Train(read.Usable(), ModelId, "1", ModelRoles.Approval, TestModels.FastOptions, read.BadRows.Count);
    }

    [Fact]
    public async Task Train_takes_every_column_but_the_label_and_key_names_a_bad_value_by_line_and_column_and_ranks_the_features()
    {
        using var scratch = new ScratchFolder();
        var input = Path.Combine(scratch.Path, "history.csv");
        await File.WriteAllTextAsync(input, History(3_000));
        var output = new StringWriter();

        var exit = await TrainingCommand.RunAsync(["train", "--input", input, "--label", "repaid", "--role", "approval", "--output", Path.Combine(scratch.Path, "model"), "--model-id", ModelId, "--trees", "30"], output);

        Assert.True(exit == 0, output.ToString());
        Assert.Contains("line 3: util_pct (column 3) is not a finite number", output.ToString());
        Assert.Contains("features by importance", output.ToString());
        using var model = OnnxCreditModel.Load(Path.Combine(scratch.Path, "model"));
        var card = model.Card!;
        Assert.Equal(Columns, card.Features);
        Assert.Equal((ModelRoles.Approval, 1), (card.Role, card.RejectedRows));
        var importance = card.FeatureImportance ?? [];
        Assert.Equal(["bureau_grade", "util_pct", "branch_visits"], importance.Select(feature => feature.Feature));
        Assert.True(importance[0].AucLoss > 0.1, $"the bureau grade carries the model: {importance[0].AucLoss}");
        Assert.InRange(importance[2].AucLoss, -0.01, 0.01);
        Assert.True(card.Metrics.Auc > 0.8, $"held-out AUC {card.Metrics.Auc}");
    }

    [Fact]
    public async Task The_approval_model_is_found_by_its_role_and_scores_the_customers_own_columns()
    {
        using var scratch = new ScratchFolder();
        var store = new ModelStore(scratch.Path);
        store.Add(TrainBankModel());
        store.Add(TestModels.Default);
        using var registry = new OnnxCreditModelRegistry(store, NullLogger.Instance, Timeout.InfiniteTimeSpan, TimeSpan.FromMinutes(1));
        var schemas = new InMemoryFeatureSchemas();
        var schema = new FeatureSchema(["branch_visits", "util_pct", "bureau_grade", "unused_column"]);
        schemas.Add(schema);
        await using var service = new BatchingCreditScoringService(registry, schemas, Options.Create(new ScoringOptions()));

        // Listed default-risk first: position no longer decides which model approves.
        var program = Seed with
        {
            ScoringModels = [Seed.ScoringModels[1], new ScoringModelConfig(ModelId, "onnx://bank-approval", Columns)],
        };
        var customers = SyntheticCustomers.Generate(300, seed: 3)
            .Select((profile, i) => profile with { Extra = new ExtraFeatures(schema.Id, [i % 4, i % 100, i % 10 + 1, -1]) })
            .ToList();
        var withoutColumns = SyntheticCustomers.Generate(1, seed: 4).Single();

        var scoring = customers.Select(profile => service.ScoreAsync(profile, program).AsTask()).ToList();
        var missing = await Assert.ThrowsAsync<MissingFeatureException>(() => service.ScoreAsync(withoutColumns, program).AsTask());
        var scores = await Task.WhenAll(scoring);

        Assert.Equal("bureau_grade", missing.Feature);
        var bank = registry.Get(ModelId);
        var probability = new float[1];
        for (var i = 0; i < customers.Count; i++)
        {
            var extra = customers[i].Extra!.Values;
            bank.Score([extra[2], extra[1], extra[0]], 1, probability);
            Assert.Equal(ModelId, scores[i].Approval.ModelId);
            Assert.Equal(probability[0], scores[i].Approval.Score, 6);
            Assert.Equal(TestModels.DefaultId, scores[i].Default!.ModelId);
            Assert.Equal(Columns.Order(), scores[i].ApprovalContributions.Select(contribution => contribution.Feature).Order());
        }

        Assert.True(scores.Select(score => score.Approval.Score).Distinct().Count() > 10);
    }

    [Fact]
    public async Task A_program_without_exactly_one_approval_model_is_refused_and_one_without_a_default_model_scores_approval_alone()
    {
        using var scratch = new ScratchFolder();
        using var registry = new OnnxCreditModelRegistry(TestModels.NewStore(scratch), NullLogger.Instance, Timeout.InfiniteTimeSpan, TimeSpan.FromMinutes(1));
        await using var service = new BatchingCreditScoringService(registry, new InMemoryFeatureSchemas(), Options.Create(new ScoringOptions()));
        var customer = SyntheticCustomers.Generate(1, seed: 9).Single();

        var noApproval = Seed with { ScoringModels = [Seed.ScoringModels[1]] };
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => service.ScoreAsync(customer, noApproval).AsTask());
        Assert.Contains("0 approval and 1 default-risk", refused.Message);

        var approvalOnly = Seed with { ScoringModels = [Seed.ScoringModels[0]] };
        var scores = await service.ScoreAsync(customer, approvalOnly);
        Assert.Equal(TestModels.ApprovalId, scores.Approval.ModelId);
        Assert.Null(scores.Default);
    }

    [Fact]
    public async Task A_challenger_is_scored_in_the_same_batch_as_its_champion_and_one_that_cannot_score_a_customer_is_left_out()
    {
        using var scratch = new ScratchFolder();
        var store = new ModelStore(scratch.Path);
        store.Add(TrainBankModel());
        store.Add(TestModels.Approval);
        store.Add(TestModels.Default);
        using var registry = new OnnxCreditModelRegistry(store, NullLogger.Instance, Timeout.InfiniteTimeSpan, TimeSpan.FromMinutes(1));
        var schemas = new InMemoryFeatureSchemas();
        var schema = new FeatureSchema(Columns);
        schemas.Add(schema);
        await using var service = new BatchingCreditScoringService(registry, schemas, Options.Create(new ScoringOptions()));
        var program = Seed with { ScoringModels = [Seed.ScoringModels[0] with { Challenger = ModelId }, Seed.ScoringModels[1]] };
        var withColumns = SyntheticCustomers.Generate(1, seed: 6).Single() with { Extra = new ExtraFeatures(schema.Id, [7, 30, 2]) };
        var withoutColumns = SyntheticCustomers.Generate(1, seed: 7).Single();

        var scores = await Task.WhenAll(service.ScoreAsync(withColumns, program).AsTask(), service.ScoreAsync(withoutColumns, program).AsTask());

        var probability = new float[1];
        registry.Get(ModelId).Score([7, 30, 2], 1, probability);
        Assert.Equal((TestModels.ApprovalId, ModelId), (scores[0].Approval.ModelId, scores[0].ApprovalChallenger!.ModelId));
        Assert.Equal(probability[0], scores[0].ApprovalChallenger!.Score, 6);
        Assert.Equal(ScoreAlone(registry.Get(TestModels.ApprovalId), withColumns), scores[0].Approval.Score, 6);
        Assert.Null(scores[1].ApprovalChallenger);
        Assert.Null(scores[0].DefaultChallenger);
    }

    private static double ScoreAlone(ICreditModel model, CustomerProfile profile)
    {
        var features = new float[model.Features.Count];
        ModelFeatures.Extract(profile, model.Features, features);
        var probability = new float[1];
        model.Score(features, 1, probability);
        return probability[0];
    }
}
