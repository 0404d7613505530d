using System.Collections.Immutable;
using Orleans;

namespace LoanOffers.Domain;

/// <summary>
/// The funnel a program version makes of a set of customers: how many each filter rejects, how many are offered and in
/// which tier, and the applications and volume expected from the best offer's conversion probability.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.FunnelTally")]
public sealed record FunnelTally
{
    public static readonly FunnelTally None = new();

    [Id(0)] public int Evaluated { get; init; }
    [Id(1)] public int Offered { get; init; }
    [Id(2)] public int NoOffer { get; init; }
    [Id(3)] public ImmutableSortedDictionary<string, int> RejectedByFilter { get; init; } = KeyedCounts.Empty;
    [Id(4)] public ImmutableSortedDictionary<string, int> OffersByTier { get; init; } = KeyedCounts.Empty;
    [Id(5)] public double ExpectedApplications { get; init; }
    [Id(6)] public decimal ExpectedVolume { get; init; }

    /// <summary>Counts one customer's decision.</summary>
    public FunnelTally With(CustomerDecision decision)
    {
        var tally = this with { Evaluated = Evaluated + 1 };
        if (!decision.FilterResult.Passed)
        {
            return tally with { RejectedByFilter = RejectedByFilter.Increment(decision.FilterResult.FilterId ?? "unknown", 1) };
        }

        if (decision.Outcome != DecisionOutcome.Offered || decision.Offers.Count == 0)
        {
            return tally with { NoOffer = NoOffer + 1 };
        }

        var best = decision.Offers[0];
        return tally with
        {
            Offered = Offered + 1,
            OffersByTier = OffersByTier.Increment(decision.Tier ?? best.Tier, 1),
            ExpectedApplications = ExpectedApplications + best.ConversionProbability,
            ExpectedVolume = ExpectedVolume + (decimal)best.ConversionProbability * best.Amount,
        };
    }

    public FunnelTally Plus(FunnelTally other) => new()
    {
        Evaluated = Evaluated + other.Evaluated,
        Offered = Offered + other.Offered,
        NoOffer = NoOffer + other.NoOffer,
        RejectedByFilter = RejectedByFilter.Plus(other.RejectedByFilter),
        OffersByTier = OffersByTier.Plus(other.OffersByTier),
        ExpectedApplications = ExpectedApplications + other.ExpectedApplications,
        ExpectedVolume = ExpectedVolume + other.ExpectedVolume,
    };

    /// <summary>This funnel less <paramref name="baseline"/>'s, count by count (a key either lacks counts as zero).</summary>
    public FunnelDifference Minus(FunnelTally baseline) => new(
        Offered - baseline.Offered,
        NoOffer - baseline.NoOffer,
        Difference(RejectedByFilter, baseline.RejectedByFilter),
        Difference(OffersByTier, baseline.OffersByTier),
        Math.Round(ExpectedApplications - baseline.ExpectedApplications, 2),
        Math.Round(ExpectedVolume - baseline.ExpectedVolume, 2));

    private static IReadOnlyDictionary<string, int> Difference(IReadOnlyDictionary<string, int> counts, IReadOnlyDictionary<string, int> baseline) =>
        counts.Keys.Union(baseline.Keys).Order(StringComparer.Ordinal)
            .ToDictionary(key => key, key => counts.GetValueOrDefault(key) - baseline.GetValueOrDefault(key));
}

/// <summary>How a proposed version's funnel differs from the live version's on the same customers.</summary>
public sealed record FunnelDifference(
    int Offered,
    int NoOffer,
    IReadOnlyDictionary<string, int> RejectedByFilter,
    IReadOnlyDictionary<string, int> OffersByTier,
    double ExpectedApplications,
    decimal ExpectedVolume);
