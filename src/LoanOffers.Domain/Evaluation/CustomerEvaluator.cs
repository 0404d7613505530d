using System.Globalization;

namespace LoanOffers.Domain;

/// <summary>
/// One customer through the pipeline: filter chain, score bands, tier, risk, behaviour, ranked offers.
/// <para>
/// Tier: the credit score picks a segment and the approval score a band (excellent/good/fair, matched to the
/// segments best first); the customer gets the lower of the two, so neither a strong bureau score nor a generous
/// model alone can raise the terms. Below the fair band there is no offer. With <c>segmentedOffers: false</c>
/// the single most conservative segment applies.
/// </para>
/// </summary>
public static class CustomerEvaluator
{
    public static CustomerDecision Evaluate(EvaluationInput input) => Evaluate(input, FilterChain.Create(input.Program));

    /// <summary>Same, reusing a chain built once per program version.</summary>
    public static CustomerDecision Evaluate(EvaluationInput input, FilterChain chain)
    {
        var profile = input.Profile;
        var program = input.Program;
        var filter = chain.Evaluate(profile, input.Now);
        var decision = new CustomerDecision
        {
            RunId = input.RunId,
            ProgramId = program.ProgramId,
            ConfigVersion = program.Version,
            CustomerId = profile.CustomerId,
            EvaluatedAt = input.Now,
            Outcome = DecisionOutcome.Rejected,
            FilterResult = filter,
        };

        if (!filter.Passed)
        {
            return decision with { Reasons = [$"Rejected by {filter.FilterId}: {filter.Reason}"] };
        }

        if (!program.Enabled || !program.LoanOfferStrategy.Enabled)
        {
            return decision with { Outcome = DecisionOutcome.NoOffer, Reasons = [program.Enabled ? "The program's loan offer strategy is disabled." : "The program is disabled."] };
        }

        var scores = input.Scores ?? throw new ArgumentException("A customer who passes the filter chain must be scored.", nameof(input));
        decision = decision with
        {
            Outcome = DecisionOutcome.NoOffer,
            ApprovalProbability = scores.Approval.Score,
            DefaultProbability = scores.Default?.Score,
            ModelScores = scores.Default is { } defaultScore ? [scores.Approval, defaultScore] : [scores.Approval],
            ScoreReasons = ScoreReasons(scores),
            Challenger = Challenged(program.LoanOfferStrategy, profile, scores),
        };

        var (segment, reasons) = ChooseSegment(program.LoanOfferStrategy, profile.CreditScore, scores.Approval.Score);
        if (segment is null)
        {
            return decision with { Reasons = reasons };
        }

        var risk = RiskAssessor.Assess(profile, scores.Default?.Score, segment);
        var behavior = BehaviorAnalyzer.Analyze(profile, scores.Approval.Score, input.Signals);
        var offers = OfferEngine.BuildOffers(new OfferRequest
        {
            Profile = profile,
            Segment = segment,
            Risk = risk,
            Behavior = behavior,
            ProgramId = program.ProgramId,
            ProgramVersion = program.Version,
            ProcessingFeePercent = program.ProcessingFeePercent,
            RequestedAmount = input.RequestedAmount,
            RequestedTenure = input.RequestedTenure,
            Now = input.Now,
            TtlDays = program.CandidateTtlDays,
            Limits = LendingLimits.For(program),
        });

        if (offers.NoOfferReason is { } noOffer)
        {
            reasons.Add(noOffer);
        }

        return decision with
        {
            Outcome = offers.Offers.Count > 0 ? DecisionOutcome.Offered : DecisionOutcome.NoOffer,
            Tier = segment.CreditTier,
            Risk = risk,
            Behavior = behavior,
            Offers = offers.Offers,
            Adjustments = offers.Adjustments,
            MatchedOfferId = offers.MatchedOfferId,
            Reasons = reasons,
        };
    }

    /// <summary>
    /// Where the challengers' scores (each standing in for its champion's, the other score kept) would have put the
    /// customer: the tier and the base rate. Null when the program has no challenger.
    /// </summary>
    private static ChallengerOutcome? Challenged(LoanOfferStrategy strategy, CustomerProfile profile, ModelScores scores)
    {
        if (scores.ApprovalChallenger is null && scores.DefaultChallenger is null)
        {
            return null;
        }

        var (segment, _) = ChooseSegment(strategy, profile.CreditScore, (scores.ApprovalChallenger ?? scores.Approval).Score);
        return new ChallengerOutcome(scores.ApprovalChallenger, scores.DefaultChallenger)
        {
            Tier = segment?.CreditTier,
            BaseRoi = segment is null ? null : RiskAssessor.Assess(profile, (scores.DefaultChallenger ?? scores.Default)?.Score, segment).BaseRoi,
        };
    }

    /// <summary>The features that cost the approval score most (at least half a point each), at most four; null for none.</summary>
    private static IReadOnlyList<FeatureContribution>? ScoreReasons(ModelScores scores)
    {
        var reasons = scores.ApprovalContributions
            .Where(contribution => contribution.ScoreLoss >= MinimumReasonWeight)
            .OrderByDescending(contribution => contribution.ScoreLoss)
            .Take(MaxPrincipalReasons)
            .ToArray();
        return reasons.Length == 0 ? null : reasons;
    }

    /// <summary>Regulation B: a notice names no more than four principal reasons.</summary>
    public const int MaxPrincipalReasons = 4;

    private const double MinimumReasonWeight = 0.005;

    private static (OfferSegment? Segment, List<string> Reasons) ChooseSegment(LoanOfferStrategy strategy, int creditScore, double approval)
    {
        var reasons = new List<string>();
        var approvalText = approval.ToString("0.###", CultureInfo.InvariantCulture);
        if (ApprovalBands.Rank(approval) is not { } band)
        {
            reasons.Add($"Approval score {approvalText} is below the fair band ({ApprovalBands.Fair.ToString(CultureInfo.InvariantCulture)}).");
            return (null, reasons);
        }

        reasons.Add($"Approval score {approvalText} is in the {ApprovalBands.Name(band)} band.");
        if (!strategy.SegmentedOffers)
        {
            var single = OfferStrategy.MostConservative(strategy);
            reasons.Add($"Offers are not segmented; tier {single?.CreditTier}.");
            return (single, reasons);
        }

        var segments = OfferStrategy.ByQuality(strategy);
        var creditRank = segments.ToList().FindIndex(s => s.Covers(creditScore));
        if (creditRank < 0)
        {
            reasons.Add($"Credit score {creditScore} is in no offer segment.");
            return (null, reasons);
        }

        reasons.Add($"Credit score {creditScore} is in the {segments[creditRank].CreditTier} segment.");
        var tierRank = Math.Max(creditRank, band);
        if (tierRank >= segments.Count)
        {
            reasons.Add($"The program has no segment as low as the {ApprovalBands.Name(band)} band.");
            return (null, reasons);
        }

        reasons.Add($"Tier {segments[tierRank].CreditTier}: the lower of credit segment and approval band.");
        return (segments[tierRank], reasons);
    }
}
