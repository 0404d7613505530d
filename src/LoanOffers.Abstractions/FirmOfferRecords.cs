using LoanOffers.Domain;
using Orleans;

namespace LoanOffers.Abstractions;

/// <summary>
/// The record of a firm offer of credit: who was offered what, when, until when, by which program version (whose
/// criteria are kept beside the records), on which profile values and which model scores. Kept
/// <see cref="RetentionMonths"/> months after the offer whatever later happens to the customer.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.FirmOfferRecord")]
public sealed record FirmOfferRecord(
    string CustomerId,
    string ProgramId,
    int ProgramVersion,
    string RunId,
    DateTimeOffset MadeAt,
    DateTimeOffset ExpiresAt,
    string? Tier,
    IReadOnlyList<ModelScore> Models,
    IReadOnlyList<CustomerOfferTerms> Offers,
    CustomerProfile DecisionInputs)
{
    /// <summary>ECOA's record-retention period for a credit decision.</summary>
    public const int RetentionMonths = 25;

    public DateTimeOffset RetainUntil => MadeAt.AddMonths(RetentionMonths);

    /// <summary>The record of an offered decision, with the profile it was made on less its contact details.</summary>
    public static FirmOfferRecord Of(CustomerDecision decision, CustomerProfile profile) => new(
        decision.CustomerId,
        decision.ProgramId,
        decision.ConfigVersion,
        decision.RunId,
        decision.EvaluatedAt,
        decision.Offers.Max(offer => offer.ExpiresAt),
        decision.Tier,
        decision.ModelScores,
        [.. decision.Offers.Select(CustomerOfferTerms.From)],
        profile with { FirstName = null, Email = null, Phone = null });
}

/// <summary>A program version's configuration, kept as long as any firm offer made under it is kept.</summary>
public sealed record ProgramCriteria(string ProgramId, int Version, ProgramConfig Config, DateTimeOffset RetainUntil);

/// <summary>A customer's firm-offer records, newest first, with the criteria of every program version they name.</summary>
public sealed record CustomerRecords(string CustomerId, IReadOnlyList<FirmOfferRecord> Records, IReadOnlyList<ProgramCriteria> Criteria);
