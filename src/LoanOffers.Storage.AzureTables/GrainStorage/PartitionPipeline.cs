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
    public static Task RunAsync<T>(
        this IGrainStateReadAhead readAhead,
        IReadOnlyList<List<T>> partitions,
        Func<T, GrainId> grainOf,
        string stateName,
        Func<int, List<T>, CancellationToken, Task> work,
        int prefetchConcurrency = 8,
        int workConcurrency = 16,
        CancellationToken cancellationToken = default) =>
        readAhead.RunAsync(
            partitions.Select((items, position) => (position, (IReadOnlyList<T>)items)).ToAsyncEnumerable(),
            grainOf,
            stateName,
            (position, items, token) => work(position, (List<T>)items, token),
            prefetchConcurrency,
            workConcurrency,
            cancellationToken);

    /// <summary>
    /// The same over partitions that arrive as the run goes (a worker fed more partitions while it works): each is read
    /// ahead, then handed to <paramref name="work"/> with the position it came with. What was read ahead for a partition
    /// is discarded once its work ends, or when the pipeline stops before reaching it, so no row read here outlives the
    /// partition's turn (another silo may be the next to write it).
    /// </summary>
    public static async Task RunAsync<T>(
        this IGrainStateReadAhead readAhead,
        IAsyncEnumerable<(int Position, IReadOnlyList<T> Items)> partitions,
        Func<T, GrainId> grainOf,
        string stateName,
        Func<int, IReadOnlyList<T>, CancellationToken, Task> work,
        int prefetchConcurrency = 8,
        int workConcurrency = 16,
        CancellationToken cancellationToken = default)
    {
        // The first failure stops every stage at once (partitions may keep arriving, so nothing else would end them)
        // and is the one the caller sees.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? firstFailure = null;
        void Fail(Exception failure)
        {
            Interlocked.CompareExchange(ref firstFailure, failure, null);
            stop.Cancel();
        }

        var ready = Channel.CreateBounded<(int Position, IReadOnlyList<T> Items)>(new BoundedChannelOptions(prefetchConcurrency * 2) { SingleReader = false });
        var prefetch = Task.Run(async () =>
        {
            try
            {
                await Parallel.ForEachAsync(
                    partitions,
                    new ParallelOptions { MaxDegreeOfParallelism = prefetchConcurrency, CancellationToken = stop.Token },
                    async (partition, token) =>
                    {
                        try
                        {
                            await readAhead.PrefetchAsync(partition.Items.Select(grainOf), stateName, token);
                            await ready.Writer.WriteAsync(partition, token);
                        }
                        catch
                        {
                            readAhead.Discard(partition.Items.Select(grainOf), stateName);
                            throw;
                        }
                    });
            }
            catch (Exception failure)
            {
                Fail(failure);
            }
            finally
            {
                ready.Writer.TryComplete();
            }
        }, CancellationToken.None);

        var workers = Enumerable.Range(0, workConcurrency).Select(_ => Task.Run(async () =>
        {
            try
            {
                await foreach (var (position, items) in ready.Reader.ReadAllAsync(stop.Token))
                {
                    try
                    {
                        await work(position, items, stop.Token);
                    }
                    finally
                    {
                        readAhead.Discard(items.Select(grainOf), stateName);
                    }
                }
            }
            catch (Exception failure)
            {
                Fail(failure);
            }
        }, CancellationToken.None));

        await Task.WhenAll(workers.Append(prefetch));
        while (ready.Reader.TryRead(out var unworked))
        {
            readAhead.Discard(unworked.Items.Select(grainOf), stateName);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (firstFailure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(firstFailure);
        }
    }
}
