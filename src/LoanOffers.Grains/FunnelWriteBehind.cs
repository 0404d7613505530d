using LoanOffers.Storage.AzureTables;

namespace LoanOffers.Grains;

/// <summary>
/// A campaign's sends and bounces on their way to the funnel, written a hundred at a time rather than one write a
/// message. The outbox row of each message is the record of its send and is written at once; this is the funnel's
/// copy, so events lost in a failed write or a stop are restored from the outbox when the campaign sends again.
/// </summary>
internal sealed class FunnelWriteBehind(FunnelLedger funnel)
{
    private const int BatchSize = 100;

    private readonly Lock _gate = new();
    private List<FunnelEvent> _waiting = [];
    private volatile bool _lost;

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

        return full is null ? Task.CompletedTask : WriteAsync(full, cancellationToken);
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

        return waiting.Count == 0 ? Task.CompletedTask : WriteAsync(waiting, cancellationToken);
    }

    /// <summary>
    /// Writes whatever waits; whether every event ever added is now in the funnel. A write that fails here is answered
    /// by false rather than thrown: the caller restores the funnel from the outbox, which has every send.
    /// </summary>
    public async Task<bool> TryFlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await FlushAsync(cancellationToken);
        }
        catch (Exception)
        {
            return false;
        }

        return !_lost;
    }

    private async Task WriteAsync(List<FunnelEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            await funnel.RecordAllAsync(events, cancellationToken);
        }
        catch
        {
            _lost = true;
            throw;
        }
    }
}
