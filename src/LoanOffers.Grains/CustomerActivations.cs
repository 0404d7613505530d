using LoanOffers.Storage.AzureTables;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace LoanOffers.Grains;

/// <summary>
/// The customers with an activation on this silo, by storage partition, and the batch fences open on those
/// partitions. A batch evaluates a customer without activating its grain only while a fence on the customer's
/// partition is open on every silo: it learns which customers are active (those go through their grains, whose
/// memory holds their state), and a customer activated while the fence is open reads its state again when the fence
/// closes, since it may have read the row before the batch wrote it.
/// </summary>
public sealed class CustomerActivations(IServiceProvider services, TimeProvider time)
{
    /// <summary>A fence its worker never closed (its silo died mid-partition) is dropped after this long.</summary>
    private static readonly TimeSpan AbandonedFence = TimeSpan.FromMinutes(10);

    private readonly Lock _gate = new();
    private readonly Dictionary<(int Table, int Partition), Dictionary<GrainId, int>> _active = [];
    private readonly Dictionary<(int Table, int Partition), List<Fence>> _fences = [];
    private readonly Dictionary<Guid, Fence> _fencesById = [];
    private GrainStateLayout? _layout;

    private GrainStateLayout Layout => _layout ??= services.GetGrainStateReadAhead(EngineNames.CustomerStore).Layout;

    /// <summary>The storage partition (table, partition) of a customer's row, which fences are taken on.</summary>
    public (int Table, int Partition) PartitionOf(GrainId customer) => Layout.Bucket(customer);

    /// <summary>Counts an activation of <paramref name="customer"/> on this silo until the returned handle is disposed.</summary>
    public IDisposable Register(GrainId customer)
    {
        var partition = PartitionOf(customer);
        lock (_gate)
        {
            if (!_active.TryGetValue(partition, out var active))
            {
                _active[partition] = active = [];
            }

            active[customer] = active.GetValueOrDefault(customer) + 1;
            if (_fences.TryGetValue(partition, out var fences))
            {
                foreach (var fence in fences)
                {
                    fence.ActivatedDuring.Add(customer);
                }
            }
        }

        return new Registration(this, partition, customer);
    }

    /// <summary>Opens a fence on a storage partition; returns the customers of that partition active on this silo.</summary>
    public IReadOnlyList<string> Open(Guid fenceId, (int Table, int Partition) partition)
    {
        lock (_gate)
        {
            DropAbandonedFences();
            var fence = new Fence(partition, time.GetTimestamp());
            if (!_fencesById.TryAdd(fenceId, fence))
            {
                return Active(partition);
            }

            if (!_fences.TryGetValue(partition, out var fences))
            {
                _fences[partition] = fences = [];
            }

            fences.Add(fence);
            return Active(partition);
        }
    }

    /// <summary>Closes a fence; returns the customers activated on this silo while it was open that are still active.</summary>
    public IReadOnlyList<GrainId> Close(Guid fenceId)
    {
        lock (_gate)
        {
            if (!_fencesById.TryGetValue(fenceId, out var fence))
            {
                return [];
            }

            Drop(fenceId, fence);
            var active = _active.GetValueOrDefault(fence.Partition);
            return [.. fence.ActivatedDuring.Where(customer => active?.ContainsKey(customer) == true)];
        }
    }

    private void DropAbandonedFences()
    {
        foreach (var (fenceId, fence) in _fencesById.Where(open => time.GetElapsedTime(open.Value.OpenedAt) > AbandonedFence).ToList())
        {
            Drop(fenceId, fence);
        }
    }

    private void Drop(Guid fenceId, Fence fence)
    {
        _fencesById.Remove(fenceId);
        var fences = _fences[fence.Partition];
        fences.Remove(fence);
        if (fences.Count == 0)
        {
            _fences.Remove(fence.Partition);
        }
    }

    private List<string> Active((int Table, int Partition) partition) =>
        _active.TryGetValue(partition, out var active) ? [.. active.Keys.Select(customer => customer.Key.ToString())] : [];

    private void Unregister((int Table, int Partition) partition, GrainId customer)
    {
        lock (_gate)
        {
            if (!_active.TryGetValue(partition, out var active) || !active.TryGetValue(customer, out var count))
            {
                return;
            }

            if (count > 1)
            {
                active[customer] = count - 1;
            }
            else if (active.Remove(customer) && active.Count == 0)
            {
                _active.Remove(partition);
            }
        }
    }

    private sealed record Fence((int Table, int Partition) Partition, long OpenedAt)
    {
        public HashSet<GrainId> ActivatedDuring { get; } = [];
    }

    private sealed class Registration(CustomerActivations owner, (int Table, int Partition) partition, GrainId customer) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Unregister(partition, customer);
            }
        }
    }
}
