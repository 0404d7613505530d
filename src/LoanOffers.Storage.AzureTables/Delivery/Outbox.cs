using Azure;
using Azure.Data.Tables;
using LoanOffers.Abstractions;

namespace LoanOffers.Storage.AzureTables;

public static class OutboxStatuses
{
    public const string Pending = "pending";
    public const string Sent = "sent";

    /// <summary>Not sent, by the contact policy at send time (an opt-out, the frequency cap, a withdrawn offer).</summary>
    public const string Suppressed = "suppressed";

    /// <summary>Kept failing; set aside with its reason for someone to look at.</summary>
    public const string Parked = "parked";

    /// <summary>Refused for good by the relay or provider (no such mailbox or number); not retried.</summary>
    public const string Bounced = "bounced";
}

/// <summary>One message of a campaign: which program, run, customer and channel, its idempotency key and how it stands.</summary>
public sealed record OutboxMessage(
    string ProgramId,
    string RunId,
    string CustomerId,
    string Channel,
    string? Tier = null,
    string Status = OutboxStatuses.Pending,
    int Attempts = 0,
    DateTimeOffset? NextAttemptAt = null,
    string? Reason = null)
{
    /// <summary>The idempotency key (<see cref="MessageKeys"/>): an SMTP <c>Message-ID</c> or SMS provider key that makes a resend recognisable.</summary>
    public string Key => MessageKeys.Of(ProgramId, RunId, CustomerId, Channel);
}

/// <summary>Due messages, and where the next sweep goes on from (null: the sweep reached the end).</summary>
public sealed record OutboxPage(IReadOnlyList<OutboxMessage> Messages, string? Cursor);

/// <summary>
/// The campaign outbox on one Azure table: a message is recorded here before anything is sent, one partition per
/// program and run, so a campaign's messages are queued in entity group transactions and drained by range queries.
/// Queuing a message again keeps the one recorded.
/// </summary>
public sealed class Outbox(TableServiceClient service, string tableName)
{
    private readonly TableClient _table = service.GetTableClient(tableName);

    public Task CreateTableAsync(CancellationToken cancellationToken = default) => _table.CreateIfNotExistsAsync(cancellationToken);

    /// <summary>Records messages that are not recorded yet; returns how many were new.</summary>
    public async Task<int> EnqueueAsync(IReadOnlyCollection<OutboxMessage> messages, CancellationToken cancellationToken = default)
    {
        var added = 0;
        foreach (var chunk in messages.GroupBy(Partition).SelectMany(partition => partition.DistinctBy(RowKey).Chunk(100)))
        {
            try
            {
                await _table.SubmitTransactionAsync(chunk.Select(message => new TableTransactionAction(TableTransactionActionType.Add, ToRow(message))), cancellationToken);
                added += chunk.Length;
            }
            catch (TableTransactionFailedException failure) when (failure.Status == 409)
            {
                foreach (var message in chunk)
                {
                    try
                    {
                        await _table.AddEntityAsync(ToRow(message), cancellationToken);
                        added++;
                    }
                    catch (RequestFailedException exists) when (exists.Status == 409)
                    {
                    }
                }
            }
        }

        return added;
    }

    /// <summary>
    /// Pending messages of a campaign that are due at <paramref name="now"/>, up to <paramref name="limit"/>, in key
    /// order after <paramref name="after"/> (a <see cref="OutboxPage.Cursor"/>), so a sender sweeps the partition once
    /// instead of rescanning the rows it already sent.
    /// </summary>
    public async Task<OutboxPage> DueAsync(string programId, string runId, DateTimeOffset now, int limit, string? after, CancellationToken cancellationToken = default)
    {
        var due = new List<OutboxMessage>();
        var filter = after is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {Partition(programId, runId)} and Status eq {OutboxStatuses.Pending} and NextAttemptAt le {now}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {Partition(programId, runId)} and RowKey gt {after} and Status eq {OutboxStatuses.Pending} and NextAttemptAt le {now}");
        string? cursor = null;
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, maxPerPage: limit, cancellationToken: cancellationToken))
        {
            due.Add(FromRow(row));
            cursor = row.RowKey;
            if (due.Count == limit)
            {
                return new OutboxPage(due, cursor);
            }
        }

        return new OutboxPage(due, null);
    }

    /// <summary>Makes every pending message of a campaign that waits for a later time due at <paramref name="now"/>; returns how many.</summary>
    public async Task<int> ReleaseAsync(string programId, string runId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var released = 0;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition(programId, runId)} and Status eq {OutboxStatuses.Pending} and NextAttemptAt gt {now}");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            await UpdateAsync(FromRow(row) with { NextAttemptAt = now }, cancellationToken);
            released++;
        }

        return released;
    }

    /// <summary>Stores how a message stands now.</summary>
    public Task UpdateAsync(OutboxMessage message, CancellationToken cancellationToken = default) =>
        _table.UpsertEntityAsync(ToRow(message), TableUpdateMode.Replace, cancellationToken);

    /// <summary>How many messages of a campaign stand in each status.</summary>
    public async Task<IReadOnlyDictionary<string, int>> CountAsync(string programId, string runId, CancellationToken cancellationToken = default)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        await foreach (var row in _table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {Partition(programId, runId)}"), select: ["Status"], cancellationToken: cancellationToken))
        {
            var status = row.GetString("Status") ?? OutboxStatuses.Pending;
            counts[status] = counts.GetValueOrDefault(status) + 1;
        }

        return counts;
    }

    /// <summary>The messages of a campaign that reached the relay or provider: sent, or refused for good (bounced).</summary>
    public async IAsyncEnumerable<OutboxMessage> DeliveredAsync(
        string programId, string runId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {Partition(programId, runId)} and (Status eq {OutboxStatuses.Sent} or Status eq {OutboxStatuses.Bounced})");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            yield return FromRow(row);
        }
    }

    /// <summary>Why a campaign's messages of one status stand there (a bounce's or park's reason), with how many each.</summary>
    public async Task<IReadOnlyDictionary<string, int>> ReasonsAsync(string programId, string runId, string status, CancellationToken cancellationToken = default)
    {
        var reasons = new SortedDictionary<string, int>(StringComparer.Ordinal);
        await foreach (var row in _table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {Partition(programId, runId)} and Status eq {status}"), select: ["Reason"], cancellationToken: cancellationToken))
        {
            var reason = row.GetString("Reason") ?? string.Empty;
            reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
        }

        return reasons;
    }

    private static string Partition(OutboxMessage message) => Partition(message.ProgramId, message.RunId);

    private static string Partition(string programId, string runId) => TableNames.EscapeKey(programId) + "|" + TableNames.EscapeKey(runId);

    private static string RowKey(OutboxMessage message) => TableNames.EscapeKey(message.CustomerId) + "|" + TableNames.EscapeKey(message.Channel);

    private static TableEntity ToRow(OutboxMessage message) => new(Partition(message), RowKey(message))
    {
        ["ProgramId"] = message.ProgramId,
        ["RunId"] = message.RunId,
        ["CustomerId"] = message.CustomerId,
        ["Channel"] = message.Channel,
        ["Tier"] = message.Tier,
        ["Status"] = message.Status,
        ["Attempts"] = message.Attempts,
        ["NextAttemptAt"] = message.NextAttemptAt ?? DateTimeOffset.UnixEpoch,
        ["Reason"] = message.Reason,
    };

    private static OutboxMessage FromRow(TableEntity row) => new(
        row.GetString("ProgramId"),
        row.GetString("RunId"),
        row.GetString("CustomerId"),
        row.GetString("Channel"),
        row.GetString("Tier"),
        row.GetString("Status") ?? OutboxStatuses.Pending,
        row.GetInt32("Attempts") ?? 0,
        row.GetDateTimeOffset("NextAttemptAt"),
        row.GetString("Reason"));
}
