using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using LoanOffers.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace LoanOffers.Storage.AzureTables;

/// <summary>A page of candidates and the token for the next page (null on the last).</summary>
public sealed record CandidatePage(IReadOnlyList<CandidateEntry> Candidates, string? Continuation);

/// <summary>
/// Seed 000's candidate GSIs on Azure Tables. ByTier: partition program+tier, row key ordered by score descending
/// (so "best first, above minScore" is a range query). ByAmount: partition program, row key loan amount then date.
/// Each index is spread over shard tables by the customer's grain id and read back merged in row-key order, so a page
/// or a continuation means the same as on one table. Every row carries its expiry; queries skip expired rows and
/// <see cref="PurgeExpiredAsync"/> deletes them.
/// </summary>
public sealed partial class CandidateIndex
{
    private const int ScoreScale = 1_000_000;
    private const string EntryProperty = "Entry";
    private const string ExpiresAtProperty = "ExpiresAt";

    /// <summary>The stored format of a packed entry: its own settings, so a change to the API's JSON cannot change it.</summary>
    private static readonly JsonSerializerOptions RowJson = new(JsonSerializerDefaults.Web);
    private readonly CandidateIndexOptions _options;
    private readonly ILogger<CandidateIndex> _logger;
    private readonly TableServiceClient _service;
    private readonly TableClient[] _byTier;
    private readonly TableClient[] _byAmount;

    public CandidateIndex(IOptions<CandidateIndexOptions> options, ILogger<CandidateIndex> logger)
    {
        _options = options.Value;
        _logger = logger;
        _service = _options.CreateClient();
        _byTier = Shards("ByTier");
        _byAmount = Shards("ByAmount");
    }

    /// <summary>Creates the shard tables, and moves the rows of an index kept in one table per index (before sharding) into them.</summary>
    public async Task CreateTablesAsync(CancellationToken cancellationToken = default)
    {
        foreach (var table in _byTier.Concat(_byAmount))
        {
            await table.CreateIfNotExistsAsync(cancellationToken);
        }

        await MoveUnshardedRowsAsync(cancellationToken);
    }

    /// <summary>Writes candidates and removes the rows they replace, in entity group transactions per shard and partition.</summary>
    public async Task WriteAsync(IReadOnlyCollection<CandidateEntry> upserts, IReadOnlyCollection<CandidateEntry> removals, CancellationToken cancellationToken = default)
    {
        var upsertKeys = upserts.SelectMany(entry => new[] { TierKey(entry), AmountKey(entry) }).ToHashSet();
        var actions = upserts
            .SelectMany(entry =>
            {
                var shard = Shard(entry);
                return new[]
                {
                    (Table: _byTier[shard], Action: new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToRow(entry, TierKey(entry)))),
                    (Table: _byAmount[shard], Action: new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToRow(entry, AmountKey(entry)))),
                };
            })
            .Concat(removals
                .SelectMany(entry =>
                {
                    var shard = Shard(entry);
                    return new[] { (Table: _byTier[shard], Key: TierKey(entry)), (Table: _byAmount[shard], Key: AmountKey(entry)) };
                })
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
    public Task<CandidatePage> QueryByTierAsync(string programId, string tier, double minScore, int limit, string? continuation, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var partitionKey = TierPartition(programId, tier);
        var lowestRow = ScoreRowPrefix(minScore) + "|\uffff";
        return QueryPageAsync(_byTier, after => after is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey le {lowestRow} and ExpiresAt gt {now}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey gt {after} and RowKey le {lowestRow} and ExpiresAt gt {now}"),
            limit, continuation, cancellationToken);
    }

    /// <summary>Unexpired candidates of a program by loan amount (ascending) between the bounds.</summary>
    public Task<CandidatePage> QueryByAmountAsync(string programId, decimal minAmount, decimal maxAmount, int limit, string? continuation, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var partitionKey = TableNames.EscapeKey(programId);
        var (lowest, beyond) = (AmountPrefix(minAmount), AmountPrefix(maxAmount + 1));
        return QueryPageAsync(_byAmount, after => after is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {lowest} and RowKey lt {beyond} and ExpiresAt gt {now}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {lowest} and RowKey gt {after} and RowKey lt {beyond} and ExpiresAt gt {now}"),
            limit, continuation, cancellationToken);
    }

    /// <summary>Every unexpired candidate of a tier, best score first.</summary>
    public IAsyncEnumerable<CandidateEntry> LiveAsync(string programId, string tier, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var partitionKey = TierPartition(programId, tier);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and ExpiresAt gt {now}");
        return MergeByRowKeyAsync(_byTier.Select(table => table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken)), cancellationToken)
            .Select(ToEntry);
    }

    /// <summary>How many unexpired candidates a tier has: keys only, so a nightly count of a large tier stays cheap.</summary>
    public async Task<int> CountLiveAsync(string programId, string tier, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var partitionKey = TierPartition(programId, tier);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and ExpiresAt gt {now}");
        var counts = await Task.WhenAll(_byTier.Select(async table =>
        {
            var count = 0;
            await foreach (var _ in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["RowKey"], cancellationToken: cancellationToken))
            {
                count++;
            }

            return count;
        }));
        return counts.Sum();
    }

    /// <summary>Deletes every expired row of both indexes; returns how many.</summary>
    public async Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var removed = 0;
        foreach (var table in _byTier.Concat(_byAmount))
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

    /// <summary>Whether <paramref name="continuation"/> could have come from a page of this index.</summary>
    public static bool IsContinuation(string continuation) => TryDecodeContinuation(continuation, out _);

    /// <summary>
    /// Up to <paramref name="limit"/> rows after the continuation's row key, merged from every shard. Each shard is
    /// read a few rows more than its share at a time, so a page costs about its own size however the rows are spread.
    /// </summary>
    private static async Task<CandidatePage> QueryPageAsync(
        TableClient[] shards, Func<string?, string> filterAfter, int limit, string? continuation, CancellationToken cancellationToken)
    {
        string? after = null;
        if (continuation is not null && !TryDecodeContinuation(continuation, out after))
        {
            throw new ArgumentException("The continuation was not issued by this index.", nameof(continuation));
        }

        var filter = filterAfter(after);
        var perShard = Math.Clamp(2 * limit / shards.Length + 8, 8, 1000);
        var rows = new List<TableEntity>(limit + 1);
        await foreach (var row in MergeByRowKeyAsync(shards.Select(table => table.QueryAsync<TableEntity>(filter, maxPerPage: perShard, cancellationToken: cancellationToken)), cancellationToken))
        {
            rows.Add(row);
            if (rows.Count > limit)
            {
                break;
            }
        }

        var more = rows.Count > limit;
        var page = rows.Take(limit).Select(ToEntry).ToList();
        return new CandidatePage(page, more ? EncodeContinuation(rows[limit - 1].RowKey) : null);
    }

    /// <summary>Shards' rows, each shard already in row-key order, as one stream in row-key order.</summary>
    private static async IAsyncEnumerable<TableEntity> MergeByRowKeyAsync(
        IEnumerable<IAsyncEnumerable<TableEntity>> shards, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var readers = shards.Select(shard => shard.GetAsyncEnumerator(cancellationToken)).ToList();
        try
        {
            var heads = new PriorityQueue<IAsyncEnumerator<TableEntity>, string>(StringComparer.Ordinal);
            var started = await Task.WhenAll(readers.Select(async reader => (Reader: reader, HasRow: await reader.MoveNextAsync())));
            foreach (var (reader, _) in started.Where(start => start.HasRow))
            {
                heads.Enqueue(reader, reader.Current.RowKey);
            }

            while (heads.TryDequeue(out var reader, out _))
            {
                yield return reader.Current;
                if (await reader.MoveNextAsync())
                {
                    heads.Enqueue(reader, reader.Current.RowKey);
                }
            }
        }
        finally
        {
            foreach (var reader in readers)
            {
                await reader.DisposeAsync();
            }
        }
    }

    private static string EncodeContinuation(string rowKey) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(rowKey));

    private static bool TryDecodeContinuation(string continuation, [NotNullWhen(true)] out string? rowKey)
    {
        rowKey = null;
        if (continuation.Length == 0 || !Base64Url.IsValid(continuation))
        {
            return false;
        }

        try
        {
            rowKey = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Base64Url.DecodeFromChars(continuation));
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>
    /// An index from before sharding kept each of the two indexes in one table: its rows are written into the shards
    /// and the old tables dropped. Upserts make this safe to repeat if a silo stops half way or several start at once.
    /// </summary>
    private async Task MoveUnshardedRowsAsync(CancellationToken cancellationToken)
    {
        var unsharded = new[] { _options.TablePrefix + "ByTier", _options.TablePrefix + "ByAmount" };
        var existing = await TableNames.ExistingAsync(_service, unsharded, cancellationToken);
        if (existing.Count == 0)
        {
            return;
        }

        var moved = 0;
        if (existing.Contains(unsharded[0], StringComparer.OrdinalIgnoreCase))
        {
            await foreach (var chunk in _service.GetTableClient(unsharded[0]).QueryAsync<TableEntity>(maxPerPage: 1000, cancellationToken: cancellationToken)
                .Select(ToEntry).Chunk(1000).WithCancellation(cancellationToken))
            {
                await WriteAsync(chunk, [], cancellationToken);
                moved += chunk.Length;
            }
        }

        foreach (var table in existing)
        {
            await _service.DeleteTableAsync(table, cancellationToken);
        }

        LogMovedUnsharded(moved, _byTier.Length);
    }

    private TableClient[] Shards(string index) =>
        [.. Enumerable.Range(0, _options.ShardCount).Select(shard => _service.GetTableClient($"{_options.TablePrefix}{index}{shard:D2}"))];

    private int Shard(CandidateEntry entry) => GrainStateLayout.TableOf(GrainId.Create(_options.CustomerGrainType, entry.CustomerId), _options.ShardCount);

    internal static (string PartitionKey, string RowKey) TierKey(CandidateEntry entry) =>
        (TierPartition(entry.ProgramId, entry.Tier), ScoreRowPrefix(entry.Score) + "|" + TableNames.EscapeKey(entry.CustomerId));

    internal static (string PartitionKey, string RowKey) AmountKey(CandidateEntry entry) =>
        (TableNames.EscapeKey(entry.ProgramId), AmountPrefix(entry.LoanAmount) + "|" + entry.OfferedAt.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "|" + TableNames.EscapeKey(entry.CustomerId));

    private static string TierPartition(string programId, string tier) => TableNames.EscapeKey(programId) + "|" + TableNames.EscapeKey(tier);

    /// <summary>Higher scores sort first: the row key holds the score's distance from 1.</summary>
    private static string ScoreRowPrefix(double score) =>
        (ScoreScale - (int)Math.Round(Math.Clamp(score, 0, 1) * ScoreScale)).ToString("D7", CultureInfo.InvariantCulture);

    private static string AmountPrefix(decimal amount) =>
        ((long)Math.Floor(Math.Clamp(amount, 0, 9_999_999_999m))).ToString("D10", CultureInfo.InvariantCulture);

    /// <summary>
    /// A row carries the entry in one packed property, and its expiry (which queries filter on) in its own: a batch
    /// writes two rows per offered customer, and the table service's work per row grows with its properties. Engines
    /// from before the packed rows cannot read them, so every silo runs this version before any of them writes.
    /// </summary>
    internal static TableEntity ToRow(CandidateEntry entry, (string PartitionKey, string RowKey) key) => new(key.PartitionKey, key.RowKey)
    {
        [EntryProperty] = JsonSerializer.Serialize(entry, RowJson),
        [ExpiresAtProperty] = entry.ExpiresAt,
    };

    /// <summary>The entry of a row, packed or in the property-per-field rows of earlier versions.</summary>
    private static CandidateEntry ToEntry(TableEntity row) => row.GetString(EntryProperty) is { } packed
        ? JsonSerializer.Deserialize<CandidateEntry>(packed, RowJson) ?? throw new FormatException($"Candidate row {row.RowKey} holds no entry.")
        : new(
            row.GetString("ProgramId"),
            row.GetString("CustomerId"),
            row.GetString("Tier"),
            row.GetDouble("Score") ?? 0,
            decimal.Parse(row.GetString("LoanAmount"), CultureInfo.InvariantCulture),
            decimal.Parse(row.GetString("Roi"), CultureInfo.InvariantCulture),
            decimal.Parse(row.GetString("Apr"), CultureInfo.InvariantCulture),
            row.GetDateTimeOffset("OfferedAt") ?? default,
            row.GetDateTimeOffset(ExpiresAtProperty) ?? default);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} expired candidate rows (before {Now})")]
    private partial void LogPurged(int count, DateTimeOffset now);

    [LoggerMessage(Level = LogLevel.Information, Message = "Moved {Count} candidates from the unsharded index tables into {Shards} shards")]
    private partial void LogMovedUnsharded(int count, int shards);
}
