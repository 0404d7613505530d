using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;

namespace LoanOffers.Storage.AzureTables;

/// <summary>An address on the bank-wide suppression list, as kept: its keyed hash, never the address.</summary>
public sealed record SuppressionEntry(string Channel, string AddressHash, string Reason, string AddedBy, DateTimeOffset AddedAt);

/// <summary>
/// The bank-wide suppression list on one Azure table: email addresses and phone numbers no offer message may reach,
/// whatever the customer record says (a complaint, a regulator's list, a deceased customer). Addresses are kept as an
/// HMAC under the bank's key, so the table can be checked against but not read back into addresses. Each silo checks
/// against the list as read within the last <see cref="RefreshInterval"/> (a campaign asks for every message, and a
/// table read each would halve its speed); a change made through this silo applies at once.
/// </summary>
public sealed class SuppressionList(TableServiceClient service, string tableName, byte[] hashKey, TimeProvider time)
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(30);

    private readonly TableClient _table = service.GetTableClient(tableName);
    private readonly ConcurrentDictionary<string, Snapshot> _snapshots = new(StringComparer.Ordinal);

    /// <summary>The hashes of one channel as read at <paramref name="ReadAt"/>; changed only by swapping in a new one.</summary>
    private sealed record Snapshot(ImmutableHashSet<string> Hashes, DateTimeOffset ReadAt);

    public Task CreateTableAsync(CancellationToken cancellationToken = default) => _table.CreateIfNotExistsAsync(cancellationToken);

    /// <summary>Adds an address; adding it again keeps the first entry. Returns the entry kept.</summary>
    public async Task<SuppressionEntry> AddAsync(string channel, string address, string reason, string addedBy, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var entry = new SuppressionEntry(channel, Hash(channel, address), reason, addedBy, at);
        try
        {
            await _table.AddEntityAsync(new TableEntity(channel, entry.AddressHash)
            {
                ["Reason"] = reason,
                ["AddedBy"] = addedBy,
                ["AddedAt"] = at,
            }, cancellationToken);
            Change(channel, hashes => hashes.Add(entry.AddressHash));
            return entry;
        }
        catch (RequestFailedException exists) when (exists.Status == 409)
        {
            return await FindAsync(channel, address, cancellationToken) ?? entry;
        }
    }

    /// <summary>Removes an address; returns whether it was listed.</summary>
    public async Task<bool> RemoveAsync(string channel, string address, CancellationToken cancellationToken = default)
    {
        var hash = Hash(channel, address);
        var response = await _table.DeleteEntityAsync(channel, hash, ETag.All, cancellationToken);
        Change(channel, hashes => hashes.Remove(hash));
        return response.Status != 404;
    }

    public async Task<SuppressionEntry?> FindAsync(string channel, string address, CancellationToken cancellationToken = default)
    {
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(channel, Hash(channel, address), cancellationToken: cancellationToken);
        return row.HasValue ? FromRow(row.Value!) : null;
    }

    /// <summary>Whether the address is on the list, as this silo read it within the last <see cref="RefreshInterval"/>.</summary>
    public async Task<bool> ContainsAsync(string channel, string address, CancellationToken cancellationToken = default)
    {
        if (!_snapshots.TryGetValue(channel, out var snapshot) || time.GetUtcNow() - snapshot.ReadAt > RefreshInterval)
        {
            var readAt = time.GetUtcNow();
            var hashes = new List<string>();
            await foreach (var row in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {channel}"), select: ["RowKey"], cancellationToken: cancellationToken))
            {
                hashes.Add(row.RowKey);
            }

            snapshot = new Snapshot([.. hashes], readAt);
            _snapshots[channel] = snapshot;
        }

        return snapshot.Hashes.Contains(Hash(channel, address));
    }

    private void Change(string channel, Func<ImmutableHashSet<string>, ImmutableHashSet<string>> change)
    {
        if (_snapshots.TryGetValue(channel, out var snapshot))
        {
            _snapshots[channel] = snapshot with { Hashes = change(snapshot.Hashes) };
        }
    }

    /// <summary>The entries of one channel, newest first, up to <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<SuppressionEntry>> ListAsync(string channel, int limit, CancellationToken cancellationToken = default)
    {
        var entries = new List<SuppressionEntry>();
        await foreach (var row in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {channel}"), cancellationToken: cancellationToken))
        {
            entries.Add(FromRow(row));
        }

        return [.. entries.OrderByDescending(entry => entry.AddedAt).Take(limit)];
    }

    /// <summary>The same address however it was typed: an email in lower case, a US phone number as its ten digits.</summary>
    private string Hash(string channel, string address)
    {
        var digits = new string([.. address.Where(char.IsAsciiDigit)]);
        var normalized = channel == "sms"
            ? digits.Length == 11 && digits[0] == '1' ? digits[1..] : digits
            : address.Trim().ToLowerInvariant();
        return Convert.ToHexStringLower(HMACSHA256.HashData(hashKey, Encoding.UTF8.GetBytes(channel + "\n" + normalized)));
    }

    private static SuppressionEntry FromRow(TableEntity row) => new(
        row.PartitionKey, row.RowKey, row.GetString("Reason") ?? string.Empty, row.GetString("AddedBy") ?? string.Empty,
        row.GetDateTimeOffset("AddedAt") ?? DateTimeOffset.MinValue);
}
