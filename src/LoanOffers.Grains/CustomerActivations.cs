using LoanOffers.Storage.AzureTables;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace LoanOffers.Grains;

/// <summary>
/// The customers with an activation on this silo, by storage partition, and the batch fences open on those
/// partitions. A batch evaluates a customer without activating its grain only while a fence on the customer's
/// partition is open on every silo: it learns which customers are active (those go through their grains, whose
/// memory holds their state), and a customer activated while the fence is open may have read its row before the batch
/// wrote it, so when the fence closes its activation is marked to read the row again before its next call. A fence
/// is closed by its worker, or here when the worker's silo is declared dead, or after <see cref="AbandonedFence"/>.
/// </summary>
public sealed class CustomerActivations(IServiceProvider services, LocalOfferReads localReads, TimeProvider time)
{
    /// <summary>
    /// A fence its worker never closed and whose silo is not known dead (a worker stuck mid-partition) is closed after
    /// this long, as its worker would have: far longer than a partition takes.
    /// </summary>
    private static readonly TimeSpan AbandonedFence = TimeSpan.FromMinutes(10);

    private readonly Lock _gate = new();
    private readonly Dictionary<(int Table, int Partition), HashSet<CustomerRegistration>> _active = [];
    private readonly Dictionary<(int Table, int Partition), List<Fence>> _fences = [];
    private readonly Dictionary<Guid, Fence> _fencesById = [];
    private IGrainStateReadAhead? _readAhead;

    private IGrainStateReadAhead ReadAhead => _readAhead ??= services.GetGrainStateReadAhead(EngineNames.CustomerStore);

    /// <summary>The storage partition (table, partition) of a customer's row, which fences are taken on.</summary>
    public (int Table, int Partition) PartitionOf(GrainId customer) => ReadAhead.Layout.Bucket(customer);

    /// <summary>Counts an activation of <paramref name="customer"/> on this silo until the returned registration is disposed.</summary>
    public CustomerRegistration Register(GrainId customer)
    {
        var registration = new CustomerRegistration(this, customer, PartitionOf(customer));
        lock (_gate)
        {
            if (!_active.TryGetValue(registration.Partition, out var active))
            {
                _active[registration.Partition] = active = [];
            }

            active.Add(registration);
            if (_fences.TryGetValue(registration.Partition, out var fences))
            {
                foreach (var fence in fences)
                {
                    fence.ActivatedDuring.Add(registration);
                }
            }
        }

        return registration;
    }

    /// <summary>
    /// Opens a fence on a storage partition for a worker on <paramref name="worker"/>'s silo; returns the ids of that
    /// partition's customers active on this silo.
    /// </summary>
    public IReadOnlyList<string> Open(Guid fenceId, (int Table, int Partition) partition, SiloAddress worker)
    {
        lock (_gate)
        {
            CloseAbandonedFences();
            var fence = new Fence(partition, worker, time.GetTimestamp());
            if (_fencesById.TryAdd(fenceId, fence))
            {
                if (!_fences.TryGetValue(partition, out var fences))
                {
                    _fences[partition] = fences = [];
                }

                fences.Add(fence);
            }

            return _active.TryGetValue(partition, out var active) ? [.. active.Select(registration => registration.Customer.Key.ToString()).Distinct()] : [];
        }
    }

    /// <summary>
    /// Closes a fence: each customer activated here while it was open and still active is marked to read its row again
    /// before its next call, and the answer it published on this silo is withdrawn. Returns how many were marked.
    /// </summary>
    public int Close(Guid fenceId)
    {
        lock (_gate)
        {
            return _fencesById.TryGetValue(fenceId, out var fence) ? Close(fenceId, fence) : 0;
        }
    }

    /// <summary>Closes every fence a worker on <paramref name="worker"/>'s silo opened here (that silo died); returns how many activations were marked.</summary>
    public int CloseFencesOf(SiloAddress worker)
    {
        lock (_gate)
        {
            var marked = 0;
            foreach (var (fenceId, fence) in _fencesById.Where(open => open.Value.Worker.Equals(worker)).ToList())
            {
                marked += Close(fenceId, fence);
            }

            return marked;
        }
    }

    /// <summary>
    /// Marks every customer of the partition active on this silo to read its row again before its next call, and
    /// withdraws the answers they published here: for a silo a fence did not reach (it joined while the fence was
    /// open), whose activations may have read their rows before the batch wrote them. Returns how many were marked.
    /// </summary>
    public int MarkStale((int Table, int Partition) partition)
    {
        lock (_gate)
        {
            return _active.TryGetValue(partition, out var active) ? MarkStale(active) : 0;
        }
    }

    /// <summary>Drops what this silo read ahead for a customer, so its next read of the row goes to storage.</summary>
    internal void ForgetPrefetched(GrainId customer) => ReadAhead.Discard([customer], EngineNames.CustomerStateName);

    private int Close(Guid fenceId, Fence fence)
    {
        _fencesById.Remove(fenceId);
        var fences = _fences[fence.Partition];
        fences.Remove(fence);
        if (fences.Count == 0)
        {
            _fences.Remove(fence.Partition);
        }

        var active = _active.GetValueOrDefault(fence.Partition);
        return MarkStale(fence.ActivatedDuring.Where(registration => active?.Contains(registration) == true));
    }

    private int MarkStale(IEnumerable<CustomerRegistration> registrations)
    {
        var marked = 0;
        foreach (var registration in registrations)
        {
            registration.MarkStale();
            localReads.Withdraw(registration.Customer.Key.ToString());
            marked++;
        }

        return marked;
    }

    private void CloseAbandonedFences()
    {
        foreach (var (fenceId, fence) in _fencesById.Where(open => time.GetElapsedTime(open.Value.OpenedAt) > AbandonedFence).ToList())
        {
            Close(fenceId, fence);
        }
    }

    private void Unregister(CustomerRegistration registration)
    {
        lock (_gate)
        {
            if (_active.TryGetValue(registration.Partition, out var active) && active.Remove(registration) && active.Count == 0)
            {
                _active.Remove(registration.Partition);
            }
        }
    }

    private sealed record Fence((int Table, int Partition) Partition, SiloAddress Worker, long OpenedAt)
    {
        public HashSet<CustomerRegistration> ActivatedDuring { get; } = [];
    }

    /// <summary>One activation's place in the registry, and whether a batch wrote its row after the activation read it.</summary>
    public sealed class CustomerRegistration : IDisposable
    {
        private readonly CustomerActivations _owner;
        private int _stale;
        private int _disposed;

        internal CustomerRegistration(CustomerActivations owner, GrainId customer, (int Table, int Partition) partition)
        {
            _owner = owner;
            Customer = customer;
            Partition = partition;
        }

        public GrainId Customer { get; }

        internal (int Table, int Partition) Partition { get; }

        /// <summary>True once after a fence marked the activation stale: the caller reads the row again.</summary>
        public bool TakeStale() => Interlocked.Exchange(ref _stale, 0) == 1;

        /// <summary>Drops what this silo read ahead for the customer: the reread must go to storage, not to an older prefetch.</summary>
        public void ForgetPrefetched() => _owner.ForgetPrefetched(Customer);

        internal void MarkStale() => Interlocked.Exchange(ref _stale, 1);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _owner.Unregister(this);
            }
        }
    }
}
