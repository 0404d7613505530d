using System.Threading.Channels;
using Orleans.Runtime;

namespace LoanOffers.Storage.AzureTables;

/// <summary>
/// Walks many grains a storage partition at a time: partitions are read ahead a few at a time while the grains of
/// partitions already read are worked on, so storage reads and grain work overlap instead of taking turns.
/// </summary>
public static class PartitionPipeline
{
    /// <summary>Groups items by their grain's storage partition (table, partition).</summary>
    public static List<List<T>> GroupByPartition<T>(this IGrainStateReadAhead readAhead, IEnumerable<T> items, Func<T, GrainId> grainOf) =>
        items.GroupBy(item => readAhead.Layout.Bucket(grainOf(item))).Select(group => group.ToList()).ToList();

    /// <summary>
    /// Reads the partitions ahead in order and hands each to <paramref name="work"/> with its position in
    /// <paramref name="partitions"/>, <paramref name="workConcurrency"/> at a time; they finish in roughly that order.
    /// </summary>
    public static async Task RunAsync<T>(
        this IGrainStateReadAhead readAhead,
        IReadOnlyList<List<T>> partitions,
        Func<T, GrainId> grainOf,
        string stateName,
        Func<int, List<T>, CancellationToken, Task> work,
        int prefetchConcurrency = 8,
        int workConcurrency = 16,
        CancellationToken cancellationToken = default)
    {
        var ready = Channel.CreateBounded<(int Position, List<T> Items)>(new BoundedChannelOptions(prefetchConcurrency * 2) { SingleReader = false });
        var prefetch = Task.Run(async () =>
        {
            try
            {
                await Parallel.ForEachAsync(
                    Enumerable.Range(0, partitions.Count),
                    new ParallelOptions { MaxDegreeOfParallelism = prefetchConcurrency, CancellationToken = cancellationToken },
                    async (position, token) =>
                    {
                        await readAhead.PrefetchAsync(partitions[position].Select(grainOf), stateName, token);
                        await ready.Writer.WriteAsync((position, partitions[position]), token);
                    });
                ready.Writer.Complete();
            }
            catch (Exception failure)
            {
                ready.Writer.Complete(failure);
                throw;
            }
        }, cancellationToken);

        var workers = Enumerable.Range(0, workConcurrency).Select(_ => Task.Run(async () =>
        {
            await foreach (var (position, items) in ready.Reader.ReadAllAsync(cancellationToken))
            {
                await work(position, items, cancellationToken);
            }
        }, cancellationToken));

        await Task.WhenAll(workers.Append(prefetch));
    }
}
