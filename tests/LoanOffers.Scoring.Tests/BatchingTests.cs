using LoanOffers.Domain;
using LoanOffers.Scoring.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LoanOffers.Scoring.Tests;

public class BatchingTests
{
    private static readonly ProgramConfig Program = ProgramConfigParser.ParseYaml(DemoPrograms.LoanOfferTargetingYaml).Config!;

    [Fact]
    public async Task Many_concurrent_callers_each_get_their_own_scores()
    {
        using var scratch = new ScratchFolder();
        using var registry = new OnnxCreditModelRegistry(TestModels.NewStore(scratch), NullLogger.Instance, Timeout.InfiniteTimeSpan, TimeSpan.FromMinutes(1));
        await using var service = new BatchingCreditScoringService(registry, new InMemoryFeatureSchemas(), Options.Create(new ScoringOptions()));
        var profiles = SyntheticCustomers.Generate(3_000, seed: 11).ToList();

        var scores = await Task.WhenAll(profiles.Select(p => Task.Run(async () => await service.ScoreAsync(p, Program))));

        var approval = registry.Get(TestModels.ApprovalId);
        var risk = registry.Get(TestModels.DefaultId);
        for (var i = 0; i < profiles.Count; i++)
        {
            Assert.Equal(ScoreAlone(approval, profiles[i]), scores[i].Approval.Score, 6);
            Assert.Equal(ScoreAlone(risk, profiles[i]), scores[i].Default!.Score, 6);
            Assert.Equal((TestModels.ApprovalId, "1"), (scores[i].Approval.ModelId, scores[i].Approval.Version));
            Assert.Equal((TestModels.DefaultId, "1"), (scores[i].Default!.ModelId, scores[i].Default!.Version));
        }

        Assert.True(scores.Select(s => s.Approval.Score).Distinct().Count() > 100, "scores vary by customer");
    }

    [Fact]
    public async Task Each_feature_is_charged_what_it_cost_the_approval_score_against_the_typical_applicant()
    {
        using var scratch = new ScratchFolder();
        using var registry = new OnnxCreditModelRegistry(TestModels.NewStore(scratch), NullLogger.Instance, Timeout.InfiniteTimeSpan, TimeSpan.FromMinutes(1));
        await using var service = new BatchingCreditScoringService(registry, new InMemoryFeatureSchemas(), Options.Create(new ScoringOptions()));
        var approval = registry.Get(TestModels.ApprovalId);
        var profiles = SyntheticCustomers.Generate(200, seed: 5).ToList();

        var scores = await Task.WhenAll(profiles.Select(p => service.ScoreAsync(p, Program).AsTask()));

        for (var i = 0; i < profiles.Count; i++)
        {
            var contributions = scores[i].ApprovalContributions;
            Assert.Equal(approval.Features.Order(), contributions.Select(c => c.Feature).Order());
            Assert.Equal(contributions.Select(c => c.ScoreLoss).OrderDescending(), contributions.Select(c => c.ScoreLoss));
            foreach (var contribution in contributions)
            {
                var at = approval.Features.ToList().IndexOf(contribution.Feature);
                Assert.Equal(ScoreAlone(approval, profiles[i], at) - scores[i].Approval.Score, contribution.ScoreLoss, tolerance: 1e-5);
            }
        }

        Assert.Contains(scores, s => s.ApprovalContributions[0].ScoreLoss > 0.05);
    }

    [Fact]
    public async Task Add_credit_scoring_serves_trained_models_from_the_model_directory_and_placeholders_without_one()
    {
        using var scratch = new ScratchFolder();
        var store = TestModels.NewStore(scratch);
        await using (var trained = new ServiceCollection().AddLogging().AddCreditScoring(o => o.ModelDirectory = store.Root).BuildServiceProvider())
        {
            var scores = await trained.GetRequiredService<ICreditScoringService>().ScoreAsync(SyntheticCustomers.Generate(1, 3).Single(), Program);
            Assert.Equal("1", scores.Approval.Version);
            Assert.Same(trained.GetRequiredService<OnnxCreditModelRegistry>(), trained.GetRequiredService<ICreditModelRegistry>());
        }

        await using var placeholder = new ServiceCollection().AddLogging().AddCreditScoring().BuildServiceProvider();
        var placeholderScores = await placeholder.GetRequiredService<ICreditScoringService>().ScoreAsync(SyntheticCustomers.Generate(1, 3).Single(), Program);
        Assert.Equal(PlaceholderCreditModelRegistry.PlaceholderVersion, placeholderScores.Approval.Version);
    }

    private static double ScoreAlone(ICreditModel model, CustomerProfile profile, int? atReference = null)
    {
        var features = new float[model.Features.Count];
        ModelFeatures.Extract(profile, model.Features, features);
        if (atReference is { } feature)
        {
            features[feature] = model.FeatureReferences[feature];
        }

        var probability = new float[1];
        model.Score(features, 1, probability);
        return probability[0];
    }
}
