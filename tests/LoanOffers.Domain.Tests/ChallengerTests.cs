using System.Text.Json;

namespace LoanOffers.Domain.Tests;

public class ChallengerTests
{
    private static CustomerDecision Evaluate(double approval, ModelScore? approvalChallenger, ModelScore? defaultChallenger = null) =>
        CustomerEvaluator.Evaluate(new EvaluationInput
        {
            Profile = TestData.Qualified() with { CreditScore = 780 },
            Program = TestData.DemoProgram,
            Scores = new ModelScores(new ModelScore("loan-approval-v4", "1", approval), new ModelScore("default-risk-v3", "1", 0.01))
            {
                ApprovalChallenger = approvalChallenger,
                DefaultChallenger = defaultChallenger,
            },
            Now = TestData.Now,
            RunId = "run-2026-03-02",
        });

    [Fact]
    public void A_challengers_score_is_recorded_with_the_tier_it_would_choose_and_never_changes_the_decision()
    {
        var plain = Evaluate(0.9, approvalChallenger: null);
        var challenged = Evaluate(0.9, new ModelScore("bank-approval", "2", 0.5), new ModelScore("bank-default", "1", 0.08));

        Assert.Null(plain.Challenger);
        Assert.Equal(("excellent", "fair"), (challenged.Tier, challenged.Challenger!.Tier));
        Assert.NotEqual(challenged.Risk!.BaseRoi, challenged.Challenger.BaseRoi);
        Assert.Equal(JsonSerializer.Serialize(plain.Offers), JsonSerializer.Serialize(challenged.Offers));
        Assert.Equal((plain.Outcome, plain.ApprovalProbability, plain.Risk), (challenged.Outcome, challenged.ApprovalProbability, challenged.Risk));
        Assert.Null(Evaluate(0.9, new ModelScore("bank-approval", "2", 0.05)).Challenger!.Tier);
    }

    [Fact]
    public void The_run_report_counts_the_tiers_offers_and_prices_a_challenger_would_change_and_how_far_it_agrees()
    {
        var tallies = new Dictionary<string, ChallengerTally>();
        foreach (var (champion, challenger) in new[] { (0.9, 0.91), (0.9, 0.5), (0.7, 0.72), (0.45, 0.05), (0.3, 0.25) })
        {
            ChallengerTally.Add(tallies, ChallengedDecision.Of(Evaluate(champion, new ModelScore("bank-approval", "2", challenger)))!);
        }

        var report = ChallengerComparison.Of(Assert.Single(tallies.Values));

        Assert.Equal(("approval", "loan-approval-v4", "bank-approval", 5), (report.Role, report.Champion, report.Challenger, report.Customers));
        Assert.Equal((2, 1), (report.TierChanges, report.OfferChanges));
        Assert.Equal(0.65, report.ChampionMean, 4);
        Assert.Equal(0.486, report.ChallengerMean, 4);
        Assert.Equal(0.4, report.SameBinShare);
        Assert.Equal([0, 0, 0, 1, 1, 0, 0, 1, 0, 2], report.ChampionDistribution);
        Assert.Equal([1, 0, 1, 0, 0, 1, 0, 1, 0, 1], report.ChallengerDistribution);
        Assert.InRange(report.RankCorrelation, 0.5, 0.99);
    }

    [Fact]
    public void Identical_scores_agree_fully_and_opposite_ones_rank_against_each_other()
    {
        var same = new ChallengerTally { Role = ModelRoles.Approval, Champion = "a", Challenger = "b" };
        var opposite = same;
        foreach (var score in new[] { 0.05, 0.35, 0.55, 0.95 })
        {
            same = same.With(score, score, false, false, false);
            opposite = opposite.With(score, 1 - score, false, false, false);
        }

        Assert.Equal((1.0, 1.0, 0.0), (ChallengerComparison.Of(same).RankCorrelation, ChallengerComparison.Of(same).SameBinShare, ChallengerComparison.Of(same).MeanAbsoluteDifference));
        Assert.Equal(-1.0, ChallengerComparison.Of(opposite).RankCorrelation);
        Assert.Equal(2 * ChallengerComparison.Of(same).Customers, ChallengerComparison.Of(same.Plus(same)).Customers);
    }
}
