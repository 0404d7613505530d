using System.Collections.Concurrent;
using LoanOffers.Abstractions;
using LoanOffers.Domain;

namespace LoanOffers.Grains;

/// <summary>A running batch's counters, added to as partitions finish (from any silo) and read by status calls.</summary>
public sealed class LiveProgress
{
    private readonly ConcurrentDictionary<string, int> _rejectedByFilter;
    private readonly ConcurrentDictionary<string, int> _offersByTier;
    private readonly ConcurrentDictionary<string, GroupOutcomes> _groups;
    private readonly ConcurrentDictionary<string, ChallengerTally> _challengers;
    private readonly Lock _baselineGate = new();
    private RunStatus _baseline;
    private int _processed;
    private int _offered;
    private int _noOffer;
    private int _offersMade;
    private int _errors;
    private int _replayed;
    private int _withdrawn;

    public LiveProgress(RunStatus checkpoint)
    {
        _baseline = checkpoint;
        _processed = checkpoint.Processed;
        _offered = checkpoint.Offered;
        _noOffer = checkpoint.NoOffer;
        _offersMade = checkpoint.OffersMade;
        _errors = checkpoint.Errors;
        _replayed = checkpoint.ReplayedDecisions;
        _withdrawn = checkpoint.Withdrawn;
        _rejectedByFilter = new ConcurrentDictionary<string, int>(checkpoint.RejectedByFilter);
        _offersByTier = new ConcurrentDictionary<string, int>(checkpoint.OffersByTier);
        _groups = new ConcurrentDictionary<string, GroupOutcomes>(checkpoint.Groups ?? new Dictionary<string, GroupOutcomes>());
        _challengers = new ConcurrentDictionary<string, ChallengerTally>(checkpoint.ChallengerTallies ?? new Dictionary<string, ChallengerTally>());
    }

    /// <summary>Adds a finished partition's counters.</summary>
    public void Add(PartitionReport report)
    {
        Interlocked.Add(ref _processed, report.Processed);
        Interlocked.Add(ref _offered, report.Offered);
        Interlocked.Add(ref _noOffer, report.NoOffer);
        Interlocked.Add(ref _offersMade, report.OffersMade);
        Interlocked.Add(ref _errors, report.Errors);
        Interlocked.Add(ref _replayed, report.Replayed);
        Interlocked.Add(ref _withdrawn, report.Withdrawn);
        foreach (var (filter, count) in report.RejectedByFilter)
        {
            _rejectedByFilter.AddOrUpdate(filter, count, (_, total) => total + count);
        }

        foreach (var (tier, count) in report.OffersByTier)
        {
            _offersByTier.AddOrUpdate(tier, count, (_, total) => total + count);
        }

        foreach (var (group, outcomes) in report.Groups)
        {
            _groups.AddOrUpdate(group, outcomes, (_, total) => total.Plus(outcomes));
        }

        foreach (var (role, tally) in report.Challengers)
        {
            _challengers.AddOrUpdate(role, tally, (_, total) => total.Plus(tally));
        }

        if (report.LastError is { } error)
        {
            Update(status => status with { LastError = error });
        }
    }

    /// <summary>Sets what is known beside the counters: totals, bad rows, partitions done, the last error.</summary>
    public void Update(Func<RunStatus, RunStatus> change)
    {
        lock (_baselineGate)
        {
            _baseline = change(_baseline);
        }
    }

    public RunStatus Snapshot() => _baseline with
    {
        Processed = Volatile.Read(ref _processed),
        Offered = Volatile.Read(ref _offered),
        NoOffer = Volatile.Read(ref _noOffer),
        OffersMade = Volatile.Read(ref _offersMade),
        Errors = Volatile.Read(ref _errors),
        ReplayedDecisions = Volatile.Read(ref _replayed),
        Withdrawn = Volatile.Read(ref _withdrawn),
        RejectedByFilter = new SortedDictionary<string, int>(_rejectedByFilter),
        OffersByTier = new SortedDictionary<string, int>(_offersByTier),
        Groups = new SortedDictionary<string, GroupOutcomes>(_groups, StringComparer.Ordinal),
        ChallengerTallies = _challengers.IsEmpty ? null : new SortedDictionary<string, ChallengerTally>(_challengers, StringComparer.Ordinal),
    };
}
