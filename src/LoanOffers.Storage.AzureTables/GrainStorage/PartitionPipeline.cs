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

    public static async Task RunAsync<T>(
        this IGrainStateReadAhead readAhead,
        IReadOnlyList<List<T>> partitions,
        Func<T, GrainId> grainOf,
        string stateName,
        Func<List<T>, CancellationToken, Task> work,
        int prefetchConcurrency = 8,
        int workConcurrency = 16,
        CancellationToken cancellationToken = default)
    {
        var ready = Channel.CreateBounded<List<T>>(new BoundedChannelOptions(prefetchConcurrency * 2) { SingleReader = false });
        var prefetch = Task.Run(async () =>
        {
            try
            {
                await Parallel.ForEachAsync(
                    partitions,
                    new ParallelOptions { MaxDegreeOfParallelism = prefetchConcurrency, CancellationToken = cancellationToken },
                    async (partition, token) =>
                    {
                        await readAhead.PrefetchAsync(partition.Select(grainOf), stateName, token);
                        await ready.Writer.WriteAsync(partition, token);
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
            await foreach (var partition in ready.Reader.ReadAllAsync(cancellationToken))
            {
                await work(partition, cancellationToken);
            }
        }, cancellationToken));

        await Task.WhenAll(workers.Append(prefetch));
    }
}
