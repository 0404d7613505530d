using System.Globalization;
using Azure;
using Azure.Data.Tables;
using LoanOffers.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LoanOffers.Storage.AzureTables;

public sealed class CandidateIndexOptions : AzureTableConnectionOptions
{
    /// <summary>Prefix of the two index tables (…ByTier, …ByAmount).</summary>
    public string TablePrefix { get; set; } = "Candidates";
}

/// <summary>A page of candidates and the token for the next page (null on the last).</summary>
public sealed record CandidatePage(IReadOnlyList<CandidateEntry> Candidates, string? Continuation);

/// <summary>
/// Seed 000's candidate GSIs on Azure Tables. ByTier: partition program+tier, row key ordered by score descending
/// (so "best first, above minScore" is one range query). ByAmount: partition program, row key loan amount then
/// date. Every row carries its expiry; queries skip expired rows and <see cref="PurgeExpiredAsync"/> deletes them.
/// </summary>
public sealed partial class CandidateIndex(IOptions<CandidateIndexOptions> options, ILogger<CandidateIndex> logger)
{
    private const int ScoreScale = 1_000_000;
    private readonly TableClient _byTier = options.Value.CreateClient().GetTableClient(options.Value.TablePrefix + "ByTier");
    private readonly TableClient _byAmount = options.Value.CreateClient().GetTableClient(options.Value.TablePrefix + "ByAmount");

    public async Task CreateTablesAsync(CancellationToken cancellationToken = default)
    {
        await _byTier.CreateIfNotExistsAsync(cancellationToken);
        await _byAmount.CreateIfNotExistsAsync(cancellationToken);
    }

    /// <summary>Writes candidates and removes the rows they replace, in entity group transactions per partition.</summary>
    public async Task WriteAsync(IReadOnlyCollection<CandidateEntry> upserts, IReadOnlyCollection<CandidateEntry> removals, CancellationToken cancellationToken = default)
    {
        var upsertKeys = upserts.SelectMany(entry => new[] { TierKey(entry), AmountKey(entry) }).ToHashSet();
        var actions = upserts
            .SelectMany(entry => new[]
            {
                (Table: _byTier, Action: new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToRow(entry, TierKey(entry)))),
                (Table: _byAmount, Action: new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToRow(entry, AmountKey(entry)))),
            })
            .Concat(removals
                .SelectMany(entry => new[] { (Table: _byTier, Key: TierKey(entry)), (Table: _byAmount, Key: AmountKey(entry)) })
                .Where(removal => !upsertKeys.Contains(removal.Key))
                .Select(removal => (removal.Table, Action: new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(removal.Key.PartitionKey, removal.Key.RowKey), ETag.All))))
            .GroupBy(item => (item.Table, item.Action.Entity.PartitionKey))
            .SelectMany(partition => partition
                .DistinctBy(item => item.Action.Entity.RowKey)
                .Chunk(100)
                .Select(chunk => (partition.Key.Table, Actions: chunk.Select(item => item.Action).ToList())))
            .ToList();

        await Parallel.ForEachAsync(actions, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (batch, token) =>
        {
            try
            {
                await batch.Table.SubmitTransactionAsync(batch.Actions, token);
            }
            catch (TableTransactionFailedException failure) when (failure.Status == 404)
            {
                // A row to remove was already gone (purged or removed earlier); apply the rest one by one.
                foreach (var action in batch.Actions)
                {
                    if (action.ActionType == TableTransactionActionType.Delete)
                    {
                        await batch.Table.DeleteEntityAsync(action.Entity.PartitionKey, action.Entity.RowKey, ETag.All, token);
                    }
                    else
                    {
                        await batch.Table.UpsertEntityAsync(action.Entity, TableUpdateMode.Replace, token);
                    }
                }
            }
        });
    }

    /// <summary>Unexpired candidates of a tier, best score first, down to <paramref name="minScore"/>.</summary>
    public async Task<CandidatePage> QueryByTierAsync(string programId, string tier, double minScore, int limit, string? continuation, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var partitionKey = TierPartition(programId, tier);
        var lowestRow = ScoreRowPrefix(minScore) + "|\uffff";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey le {lowestRow} and ExpiresAt gt {now}");
        return await QueryPageAsync(_byTier, filter, limit, continuation, cancellationToken);
    }

    /// <summary>Unexpired candidates of a program by loan amount (ascending) between the bounds.</summary>
    public async Task<CandidatePage> QueryByAmountAsync(string programId, decimal minAmount, decimal maxAmount, int limit, string? continuation, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var partitionKey = TableNames.EscapeKey(programId);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {AmountPrefix(minAmount)} and RowKey lt {AmountPrefix(maxAmount + 1)} and ExpiresAt gt {now}");
        return await QueryPageAsync(_byAmount, filter, limit, continuation, cancellationToken);
    }

    /// <summary>Every unexpired candidate of a tier, best score first.</summary>
    public async IAsyncEnumerable<CandidateEntry> LiveAsync(
        string programId, string tier, DateTimeOffset now, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var partitionKey = TierPartition(programId, tier);
        await foreach (var row in _byTier.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and ExpiresAt gt {now}"), maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            yield return ToEntry(row);
        }
    }

    /// <summary>How many unexpired candidates a tier has: keys only, so a nightly count of a large tier stays cheap.</summary>
    public async Task<int> CountLiveAsync(string programId, string tier, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var partitionKey = TierPartition(programId, tier);
        var count = 0;
        await foreach (var _ in _byTier.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and ExpiresAt gt {now}"), maxPerPage: 1000, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            count++;
        }

        return count;
    }

    /// <summary>Deletes every expired row of both tables; returns how many.</summary>
    public async Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var removed = 0;
        foreach (var table in new[] { _byTier, _byAmount })
        {
            var expired = new List<TableEntity>();
            await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"ExpiresAt le {now}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            {
                expired.Add(row);
            }

            foreach (var chunk in expired.GroupBy(row => row.PartitionKey).SelectMany(partition => partition.Chunk(100)))
            {
                await table.SubmitTransactionAsync(chunk.Select(row => new TableTransactionAction(TableTransactionActionType.Delete, row, ETag.All)), cancellationToken);
                removed += chunk.Length;
            }
        }

        LogPurged(removed, now);
        return removed;
    }

    private static async Task<CandidatePage> QueryPageAsync(TableClient table, string filter, int limit, string? continuation, CancellationToken cancellationToken)
    {
        await foreach (var page in table.QueryAsync<TableEntity>(filter, maxPerPage: limit, cancellationToken: cancellationToken).AsPages(continuation, limit))
        {
            return new CandidatePage(page.Values.Select(ToEntry).ToList(), page.ContinuationToken);
        }

        return new CandidatePage([], null);
    }

    private static (string PartitionKey, string RowKey) TierKey(CandidateEntry entry) =>
        (TierPartition(entry.ProgramId, entry.Tier), ScoreRowPrefix(entry.Score) + "|" + TableNames.EscapeKey(entry.CustomerId));

    private static (string PartitionKey, string RowKey) AmountKey(CandidateEntry entry) =>
        (TableNames.EscapeKey(entry.ProgramId), AmountPrefix(entry.LoanAmount) + "|" + entry.OfferedAt.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "|" + TableNames.EscapeKey(entry.CustomerId));

    private static string TierPartition(string programId, string tier) => TableNames.EscapeKey(programId) + "|" + TableNames.EscapeKey(tier);

    /// <summary>Higher scores sort first: the row key holds the score's distance from 1.</summary>
    private static string ScoreRowPrefix(double score) =>
        (ScoreScale - (int)Math.Round(Math.Clamp(score, 0, 1) * ScoreScale)).ToString("D7", CultureInfo.InvariantCulture);

    private static string AmountPrefix(decimal amount) =>
        ((long)Math.Floor(Math.Clamp(amount, 0, 9_999_999_999m))).ToString("D10", CultureInfo.InvariantCulture);

    private static TableEntity ToRow(CandidateEntry entry, (string PartitionKey, string RowKey) key) => new(key.PartitionKey, key.RowKey)
    {
        ["ProgramId"] = entry.ProgramId,
        ["CustomerId"] = entry.CustomerId,
        ["Tier"] = entry.Tier,
        ["Score"] = entry.Score,
        ["LoanAmount"] = entry.LoanAmount.ToString(CultureInfo.InvariantCulture),
        ["Roi"] = entry.Roi.ToString(CultureInfo.InvariantCulture),
        ["Apr"] = entry.Apr.ToString(CultureInfo.InvariantCulture),
        ["OfferedAt"] = entry.OfferedAt,
        ["ExpiresAt"] = entry.ExpiresAt,
    };

    private static CandidateEntry ToEntry(TableEntity row) => new(
        row.GetString("ProgramId"),
        row.GetString("CustomerId"),
        row.GetString("Tier"),
        row.GetDouble("Score") ?? 0,
        decimal.Parse(row.GetString("LoanAmount"), CultureInfo.InvariantCulture),
        decimal.Parse(row.GetString("Roi"), CultureInfo.InvariantCulture),
        decimal.Parse(row.GetString("Apr"), CultureInfo.InvariantCulture),
        row.GetDateTimeOffset("OfferedAt") ?? default,
        row.GetDateTimeOffset("ExpiresAt") ?? default);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} expired candidate rows (before {Now})")]
    private partial void LogPurged(int count, DateTimeOffset now);
}
