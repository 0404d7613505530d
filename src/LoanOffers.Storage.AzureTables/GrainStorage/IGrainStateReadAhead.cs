using Orleans.Runtime;

namespace LoanOffers.Storage.AzureTables;

/// <summary>
/// Lets a batch read the rows of many grains ahead, a partition per query, so that the grains' activations find
/// their state in memory instead of each paying a round trip. A prefetched row is handed out once and dropped after
/// a short time; a write to the row drops it too. A row changed by someone else after the prefetch still cannot be
/// overwritten blindly: the grain holds the prefetched ETag, so its next write fails the concurrency check.
/// </summary>
public interface IGrainStateReadAhead
{
    GrainStateLayout Layout { get; }

    /// <summary>Reads the partitions of these grains' <paramref name="stateName"/> rows; returns how many rows exist.</summary>
    Task<int> PrefetchAsync(IEnumerable<GrainId> grainIds, string stateName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Drops what was read ahead for these grains and not taken. A batch does so once it is done with a partition (or
    /// gives it up): another silo may write those rows next, and a later activation here must read them afresh.
    /// </summary>
    void Discard(IEnumerable<GrainId> grainIds, string stateName);
}
