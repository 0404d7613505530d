using Orleans;

namespace LoanOffers.Domain;

/// <summary>One model's output for one customer, kept with the decision for audit.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.ModelScore")]
public sealed record ModelScore(string ModelId, string Version, double Score);

/// <summary>
/// How much one feature lowered a customer's approval score: the score the customer would have with a typical
/// applicant's value of that feature, less the customer's own (negative when the feature raised it).
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.FeatureContribution")]
public sealed record FeatureContribution(string Feature, double ScoreLoss);

/// <summary>
/// The approval model (probability of approval) and the default-risk model (annual probability of default), when
/// the program has one.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.ModelScores")]
public sealed record ModelScores(ModelScore Approval, ModelScore? Default)
{
    /// <summary>Each of the approval model's features, by how much it lowered the approval score, most first.</summary>
    [Id(2)] public IReadOnlyList<FeatureContribution> ApprovalContributions { get; init; } = [];

    /// <summary>The approval model's challenger, scored beside it in the same batch; never acted on.</summary>
    [Id(3)] public ModelScore? ApprovalChallenger { get; init; }

    /// <summary>The default-risk model's challenger, scored beside it in the same batch; never acted on.</summary>
    [Id(4)] public ModelScore? DefaultChallenger { get; init; }
}

/// <summary>
/// What a program's challengers scored a customer and where their scores would have put it: the tier (null: no tier,
/// so no offer) and the base rate. Recorded beside the decision, never acted on.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.ChallengerOutcome")]
public sealed record ChallengerOutcome(ModelScore? Approval, ModelScore? Default)
{
    [Id(2)] public string? Tier { get; init; }
    [Id(3)] public decimal? BaseRoi { get; init; }
}

/// <summary>
/// One principal reason of a decision, in order of weight: a filter's reason code and statement, or a model feature
/// that lowered the approval score, with <see cref="Weight"/> the score it cost.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.PrincipalReason")]
public sealed record PrincipalReason(string Code, string Statement)
{
    [Id(2)] public double? Weight { get; init; }
}

[GenerateSerializer, Alias("loanoffers.DecisionOutcome")]
public enum DecisionOutcome { Offered, Rejected, NoOffer }

/// <summary>
/// Everything needed to decide on one customer. <see cref="Scores"/> may be null for customers the filter chain
/// rejects (they are not worth scoring); a customer who passes must have them.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.EvaluationInput")]
public sealed record EvaluationInput
{
    [Id(0)] public required CustomerProfile Profile { get; init; }
    [Id(1)] public required ProgramConfig Program { get; init; }
    [Id(2)] public ModelScores? Scores { get; init; }
    [Id(3)] public BehaviorSignals? Signals { get; init; }
    [Id(4)] public required DateTimeOffset Now { get; init; }
    [Id(5)] public required string RunId { get; init; }
    [Id(6)] public decimal? RequestedAmount { get; init; }
    [Id(7)] public int? RequestedTenure { get; init; }
}

/// <summary>A customer's decision with everything that explains it: filter, scores, tier, risk, behaviour, offers.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.CustomerDecision")]
public sealed record CustomerDecision
{
    [Id(0)] public required string RunId { get; init; }
    [Id(1)] public required string ProgramId { get; init; }
    [Id(2)] public required int ConfigVersion { get; init; }
    [Id(3)] public required string CustomerId { get; init; }
    [Id(4)] public required DateTimeOffset EvaluatedAt { get; init; }
    [Id(5)] public required DecisionOutcome Outcome { get; init; }
    [Id(6)] public required FilterResult FilterResult { get; init; }
    [Id(7)] public string? Tier { get; init; }
    [Id(8)] public double? ApprovalProbability { get; init; }
    [Id(9)] public double? DefaultProbability { get; init; }
    [Id(10)] public IReadOnlyList<ModelScore> ModelScores { get; init; } = [];
    [Id(11)] public RiskAssessment? Risk { get; init; }
    [Id(12)] public BehaviorAnalysis? Behavior { get; init; }
    [Id(13)] public IReadOnlyList<LoanOffer> Offers { get; init; } = [];
    [Id(14)] public IReadOnlyList<OfferAdjustment> Adjustments { get; init; } = [];
    [Id(15)] public IReadOnlyList<string> Reasons { get; init; } = [];

    /// <summary>For a request of an exact amount and tenure: the offer that matches it, when it could be made.</summary>
    [Id(16)] public string? MatchedOfferId { get; init; }

    /// <summary>
    /// The features that lowered the approval score most, heaviest first (at most four); null rather than empty, since
    /// an empty list still costs its type in every stored row.
    /// </summary>
    [Id(17)] public IReadOnlyList<FeatureContribution>? ScoreReasons { get; init; }

    /// <summary>The challengers' scores and what they would have decided; null when the program names none.</summary>
    [Id(18)] public ChallengerOutcome? Challenger { get; init; }

    /// <summary>
    /// Why, in order of weight: the filter that rejected, or the features that lowered the approval score most. Built
    /// from what the decision stores anyway, so a customer's row carries no statement text twice.
    /// </summary>
    public IReadOnlyList<PrincipalReason> PrincipalReasons => FilterResult.Passed
        ? [.. (ScoreReasons ?? []).Select(reason => new PrincipalReason(ModelFeatures.ReasonCode(reason.Feature), ModelFeatures.ReasonStatement(reason.Feature)) { Weight = reason.ScoreLoss })]
        : [new PrincipalReason(FilterResult.ReasonCode ?? "REJECTED", FilterResult.Reason ?? $"Rejected by {FilterResult.FilterId}")];
}
