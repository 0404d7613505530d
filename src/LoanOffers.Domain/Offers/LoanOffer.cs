using Orleans;

namespace LoanOffers.Domain;

/// <summary>
/// One priced, ranked offer. <see cref="Roi"/> is the note rate in percent (fee excluded), <see cref="Apr"/> the
/// TILA APR with the processing fee, <see cref="Tenure"/> months. <see cref="TotalRepayable"/> is the sum of the
/// payments (the fee is deducted from the proceeds, not added). <see cref="ExpectedValue"/> is conversion x
/// risk-adjusted margin and <see cref="RiskImpact"/> the expected credit loss over the life of the loan, both in dollars.
/// <see cref="ProgramId"/> names the program that made it, so a customer's offers of several programs stay apart.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.LoanOffer")]
public sealed record LoanOffer(
    string OfferId,
    string Tier,
    decimal Roi,
    decimal Apr,
    decimal Amount,
    int Tenure,
    decimal ProcessingFee,
    decimal MonthlyPayment,
    decimal TotalRepayable,
    int Rank,
    double ConversionProbability,
    decimal ExpectedValue,
    decimal RiskImpact,
    DateTimeOffset ExpiresAt,
    string ProgramId);

/// <summary>Why the offers differ from what was asked, e.g. <c>REQUESTED_AMOUNT_ABOVE_TIER_MAX</c>.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.OfferAdjustment")]
public sealed record OfferAdjustment(string Code, string Message);

/// <summary>Offers best first (rank 1 first), the adjustments made to the request, and why there is none if empty.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.OfferSet")]
public sealed record OfferSet(IReadOnlyList<LoanOffer> Offers, IReadOnlyList<OfferAdjustment> Adjustments, string? NoOfferReason)
{
    /// <summary>The offer with exactly the requested amount and tenure, ranked first; null when they cannot be offered.</summary>
    [Id(3)] public string? MatchedOfferId { get; init; }
}

[GenerateSerializer, Immutable, Alias("loanoffers.OfferRequest")]
public sealed record OfferRequest
{
    [Id(0)] public required CustomerProfile Profile { get; init; }
    [Id(1)] public required OfferSegment Segment { get; init; }
    [Id(2)] public required RiskAssessment Risk { get; init; }
    [Id(3)] public required BehaviorAnalysis Behavior { get; init; }
    [Id(4)] public required string ProgramId { get; init; }
    [Id(5)] public required int ProgramVersion { get; init; }
    [Id(6)] public decimal ProcessingFeePercent { get; init; } = ProgramConfig.DefaultProcessingFeePercent;
    [Id(7)] public decimal? RequestedAmount { get; init; }
    [Id(8)] public int? RequestedTenure { get; init; }
    [Id(9)] public required DateTimeOffset Now { get; init; }
    [Id(10)] public int TtlDays { get; init; } = 90;
    [Id(11)] public LendingLimits Limits { get; init; } = LendingLimits.Default;
}
