using System.Text;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;

namespace LoanOffers.Storage.AzureTables;

/// <summary>
/// The append-only audit trail on one Azure table partition. Each entry carries the hash of the one before it, and a
/// head row names the newest entry; an append inserts the entry and moves the head in one entity group transaction,
/// guarded by the head's ETag, so appends from any silo form one unbroken chain. There is no update or delete.
/// </summary>
public sealed partial class AuditTrail(TableServiceClient service, string tableName, TimeProvider time, ILogger<AuditTrail> logger)
{
    private const string Partition = "audit";
    private const string HeadKey = "head";

    /// <summary>Entry row keys are 19 digits, so every one sorts before the head's.</summary>
    private const string EntriesBelow = "h";

    /// <summary>Largest binary property the service accepts; long before/after documents span several.</summary>
    private const int ChunkBytes = 64 * 1024;

    private const int MaxAppendAttempts = 100;

    private readonly TableClient _table = service.GetTableClient(tableName);

    public Task CreateTableAsync(CancellationToken cancellationToken = default) => _table.CreateIfNotExistsAsync(cancellationToken);

    public async Task<AuditEntry> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var head = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, HeadKey, cancellationToken: cancellationToken);
            var sequence = (head.HasValue ? head.Value!.GetInt64("Sequence") ?? 0 : 0) + 1;
            var previousHash = head.HasValue ? head.Value!.GetString("Hash") ?? AuditEntry.GenesisHash : AuditEntry.GenesisHash;
            var at = time.GetUtcNow();
            var entry = new AuditEntry(
                sequence, at, record.Actor.Subject, record.Actor.Role, record.Actor.ClientAddress, record.Action, record.Target,
                record.Before, record.After, record.Changes, previousHash, AuditEntry.ComputeHash(sequence, at, record, previousHash));
            var newHead = new TableEntity(Partition, HeadKey) { ["Sequence"] = entry.Sequence, ["Hash"] = entry.Hash };
            TableTransactionAction[] actions =
            [
                new(TableTransactionActionType.Add, ToEntity(entry)),
                head.HasValue ? new(TableTransactionActionType.UpdateReplace, newHead, head.Value!.ETag) : new(TableTransactionActionType.Add, newHead),
            ];
            try
            {
                await _table.SubmitTransactionAsync(actions, cancellationToken);
                LogAppended(entry.Sequence, entry.Action, entry.Target, entry.Subject);
                return entry;
            }
            catch (TableTransactionFailedException lost) when (lost.Status is 409 or 412 && attempt < MaxAppendAttempts)
            {
                // Another append took this sequence number first: read the new head and go again, after a jittered
                // pause so writers racing for the same number spread out instead of colliding again.
                await Task.Delay(Random.Shared.Next(1, 5 * Math.Min(attempt, 10)), cancellationToken);
            }
        }
    }

    /// <summary>Entries newest first, filtered by time, actor (subject) and action.</summary>
    public async Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        var filter = new StringBuilder(TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey lt {EntriesBelow}"));
        if (query.From is { } from)
        {
            filter.Append(TableClient.CreateQueryFilter($" and At ge {from}"));
        }

        if (query.To is { } to)
        {
            filter.Append(TableClient.CreateQueryFilter($" and At le {to}"));
        }

        if (query.Actor is { } actor)
        {
            filter.Append(TableClient.CreateQueryFilter($" and Subject eq {actor}"));
        }

        if (query.Action is { } action)
        {
            filter.Append(TableClient.CreateQueryFilter($" and Action eq {action}"));
        }

        await foreach (var page in _table.QueryAsync<TableEntity>(filter.ToString(), query.Limit, cancellationToken: cancellationToken).AsPages(query.Continuation, query.Limit))
        {
            return new AuditPage([.. page.Values.Select(FromEntity)], page.ContinuationToken);
        }

        return new AuditPage([], null);
    }

    /// <summary>
    /// Walks the whole chain: every entry's hash matches its content, names its predecessor's hash, the sequence has
    /// no gap from 1 to the head, and the head names the newest entry. A changed, removed or inserted entry shows.
    /// </summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        var problems = new List<string>();
        var head = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, HeadKey, cancellationToken: cancellationToken);
        var headSequence = head.HasValue ? head.Value!.GetInt64("Sequence") ?? 0 : 0;
        var expectedSequence = headSequence;
        var expectedHash = head.HasValue ? head.Value!.GetString("Hash") : null;
        long entries = 0;

        // Row keys are inverted sequence numbers, so the walk goes from the newest entry back to the first.
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey lt {EntriesBelow}");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            entries++;
            var entry = FromEntity(row);
            if (entry.Sequence != expectedSequence)
            {
                problems.Add(expectedSequence == headSequence
                    ? $"The head names entry {headSequence}, but the newest entry is {entry.Sequence}."
                    : $"Entries {entry.Sequence + 1} to {expectedSequence} are missing.");
            }
            else if (expectedHash is not null && entry.Hash != expectedHash)
            {
                problems.Add($"Entry {entry.Sequence} is not the one its successor (or the head) names: it was replaced.");
            }

            if (!entry.IsIntact)
            {
                problems.Add($"Entry {entry.Sequence} was changed after it was written: its content no longer matches its hash.");
            }

            expectedSequence = entry.Sequence - 1;
            expectedHash = entry.PreviousHash;
        }

        if (expectedSequence != 0)
        {
            problems.Add($"Entries 1 to {expectedSequence} are missing.");
        }
        else if (expectedHash is not null && entries > 0 && expectedHash != AuditEntry.GenesisHash)
        {
            problems.Add("The first entry does not start the chain.");
        }

        return new AuditVerification(entries, headSequence, problems);
    }

    private static TableEntity ToEntity(AuditEntry entry)
    {
        var entity = new TableEntity(Partition, AuditJson.Key(entry.Sequence))
        {
            ["Sequence"] = entry.Sequence,
            ["At"] = entry.At,
            ["Subject"] = entry.Subject,
            ["Role"] = entry.Role,
            ["ClientAddress"] = entry.ClientAddress,
            ["Action"] = entry.Action,
            ["Target"] = entry.Target,
            ["Changes"] = AuditJson.Changes(entry.Changes),
            ["PreviousHash"] = entry.PreviousHash,
            ["Hash"] = entry.Hash,
        };
        WriteChunks(entity, "Before", entry.Before);
        WriteChunks(entity, "After", entry.After);
        return entity;
    }

    private static AuditEntry FromEntity(TableEntity row) => new(
        row.GetInt64("Sequence") ?? AuditJson.Sequence(row.RowKey),
        row.GetDateTimeOffset("At") ?? DateTimeOffset.MinValue,
        row.GetString("Subject") ?? string.Empty,
        row.GetString("Role") ?? string.Empty,
        row.GetString("ClientAddress"),
        row.GetString("Action") ?? string.Empty,
        row.GetString("Target") ?? string.Empty,
        ReadChunks(row, "Before"),
        ReadChunks(row, "After"),
        AuditJson.Changes(row.GetString("Changes")),
        row.GetString("PreviousHash") ?? string.Empty,
        row.GetString("Hash") ?? string.Empty);

    /// <summary>A document as UTF-8 in as many binary properties as it needs (Before0, Before1, ...).</summary>
    private static void WriteChunks(TableEntity entity, string name, string? value)
    {
        if (value is null)
        {
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(value);
        entity[name + "Chunks"] = (bytes.Length + ChunkBytes - 1) / ChunkBytes;
        for (var (offset, chunk) = (0, 0); offset < bytes.Length; offset += ChunkBytes, chunk++)
        {
            entity[name + chunk] = bytes[offset..Math.Min(bytes.Length, offset + ChunkBytes)];
        }
    }

    private static string? ReadChunks(TableEntity entity, string name)
    {
        if (entity.GetInt32(name + "Chunks") is not int chunks)
        {
            return null;
        }

        var bytes = new List<byte>();
        for (var chunk = 0; chunk < chunks; chunk++)
        {
            bytes.AddRange(entity.GetBinary(name + chunk) ?? []);
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit entry {Sequence}: {Action} {Target} by {Subject}")]
    private partial void LogAppended(long sequence, string action, string target, string subject);
}
