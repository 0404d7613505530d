using System.Collections.Concurrent;
using LoanOffers.Abstractions;
using LoanOffers.Domain;

namespace LoanOffers.Grains;

/// <summary>A running batch's counters, updated by many customer evaluations at once and read by status calls.</summary>
public sealed class LiveProgress
{
    private readonly ConcurrentDictionary<string, int> _rejectedByFilter;
    private readonly ConcurrentDictionary<string, int> _offersByTier;
    private readonly Lock _baselineGate = new();
    private RunStatus _baseline;
    private int _processed;
    private int _offered;
    private int _noOffer;
    private int _offersMade;
    private int _errors;
    private int _replayed;

    public LiveProgress(RunStatus checkpoint)
    {
        _baseline = checkpoint;
        _processed = checkpoint.Processed;
        _offered = checkpoint.Offered;
        _noOffer = checkpoint.NoOffer;
        _offersMade = checkpoint.OffersMade;
        _errors = checkpoint.Errors;
        _replayed = checkpoint.ReplayedDecisions;
        _rejectedByFilter = new ConcurrentDictionary<string, int>(checkpoint.RejectedByFilter);
        _offersByTier = new ConcurrentDictionary<string, int>(checkpoint.OffersByTier);
    }

    public void Record(CustomerEvaluation evaluation)
    {
        Interlocked.Increment(ref _processed);
        if (evaluation.FromStoredDecision)
        {
            Interlocked.Increment(ref _replayed);
        }

        switch (evaluation.Outcome)
        {
            case DecisionOutcome.Offered:
                Interlocked.Increment(ref _offered);
                Interlocked.Add(ref _offersMade, evaluation.OffersMade);
                _offersByTier.AddOrUpdate(evaluation.Tier ?? "unknown", 1, (_, count) => count + 1);
                break;
            case DecisionOutcome.Rejected:
                _rejectedByFilter.AddOrUpdate(evaluation.RejectedBy ?? "unknown", 1, (_, count) => count + 1);
                break;
            default:
                Interlocked.Increment(ref _noOffer);
                break;
        }
    }

    public void RecordError(string message)
    {
        Interlocked.Increment(ref _processed);
        Interlocked.Increment(ref _errors);
        Update(status => status with { LastError = message });
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
        RejectedByFilter = new SortedDictionary<string, int>(_rejectedByFilter),
        OffersByTier = new SortedDictionary<string, int>(_offersByTier),
    };
}
