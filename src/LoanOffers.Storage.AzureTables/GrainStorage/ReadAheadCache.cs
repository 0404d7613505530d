using System.Collections.Concurrent;
using Azure.Data.Tables;

namespace LoanOffers.Storage.AzureTables;

/// <summary>Prefetched rows (or the knowledge that a row does not exist), each handed out once.</summary>
internal sealed class ReadAheadCache(TimeSpan timeToLive)
{
    private readonly ConcurrentDictionary<(int Table, string PartitionKey, string RowKey), (TableEntity? Row, long ExpiresAt)> _rows = new();
    private long _nextSweep;

    public void Put(GrainStateLocation location, TableEntity? row) =>
        _rows[(location.TableIndex, location.PartitionKey, location.RowKey)] = (row, Environment.TickCount64 + (long)timeToLive.TotalMilliseconds);

    public bool TryTake(GrainStateLocation location, out TableEntity? row)
    {
        if (_rows.TryRemove((location.TableIndex, location.PartitionKey, location.RowKey), out var entry)
            && entry.ExpiresAt > Environment.TickCount64)
        {
            row = entry.Row;
            return true;
        }

        row = null;
        return false;
    }

    public void Forget(GrainStateLocation location) => _rows.TryRemove((location.TableIndex, location.PartitionKey, location.RowKey), out _);

    /// <summary>Drops rows whose grain never came; sweeps at most a few times per time-to-live, however often it is called.</summary>
    public void RemoveExpired()
    {
        var now = Environment.TickCount64;
        var nextSweep = Interlocked.Read(ref _nextSweep);
        if (now < nextSweep || Interlocked.CompareExchange(ref _nextSweep, now + (long)timeToLive.TotalMilliseconds / 4, nextSweep) != nextSweep)
        {
            return;
        }

        foreach (var (key, entry) in _rows)
        {
            if (entry.ExpiresAt <= now)
            {
                _rows.TryRemove(key, out _);
            }
        }
    }
}
