using System.Collections.Immutable;

namespace LoanOffers.Domain;

/// <summary>Counts by key (customers by filter, offers by tier) as the immutable tallies of a run keep them.</summary>
public static class KeyedCounts
{
    public static readonly ImmutableSortedDictionary<string, int> Empty = ImmutableSortedDictionary<string, int>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>The counts with <paramref name="count"/> more under <paramref name="key"/>.</summary>
    public static ImmutableSortedDictionary<string, int> Increment(this ImmutableSortedDictionary<string, int> counts, string key, int count) =>
        counts.SetItem(key, counts.GetValueOrDefault(key) + count);

    /// <summary>Both counts added up, key by key.</summary>
    public static ImmutableSortedDictionary<string, int> Plus(this ImmutableSortedDictionary<string, int> counts, ImmutableSortedDictionary<string, int> other) =>
        other.Aggregate(counts, (sum, entry) => sum.Increment(entry.Key, entry.Value));
}
