using LoanOffers.Storage.AzureTables;

namespace LoanOffers.Grains;

/// <summary>
/// A campaign's sends and bounces on their way to the funnel, written a hundred at a time rather than one write a
/// message. The outbox row of each message is the record of its send and is written at once; this is the funnel's
/// copy, so events lost in a stop are restored from the outbox when the campaign starts sending again.
/// </summary>
internal sealed class FunnelWriteBehind(FunnelLedger funnel)
{
    private const int BatchSize = 100;

    private readonly Lock _gate = new();
    private List<FunnelEvent> _waiting = [];

    /// <summary>Adds an event; the sender that fills a batch writes it.</summary>
    public Task AddAsync(FunnelEvent funnelEvent, CancellationToken cancellationToken)
    {
        List<FunnelEvent>? full = null;
        lock (_gate)
        {
            _waiting.Add(funnelEvent);
            if (_waiting.Count >= BatchSize)
            {
                full = _waiting;
                _waiting = [];
            }
        }

        return full is null ? Task.CompletedTask : funnel.RecordAllAsync(full, cancellationToken);
    }

    /// <summary>Writes whatever waits.</summary>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        List<FunnelEvent> waiting;
        lock (_gate)
        {
            waiting = _waiting;
            _waiting = [];
        }

        return waiting.Count == 0 ? Task.CompletedTask : funnel.RecordAllAsync(waiting, cancellationToken);
    }
}
