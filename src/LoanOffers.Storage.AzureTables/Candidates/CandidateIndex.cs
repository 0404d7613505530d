using System.Buffers.Text;
using System.Collections.Concurrent;
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
/// Seed 000's candidate GSIs on Azure Tables, in pages. ByTier: partition program+tier, ordered by score descending
/// (so "best first, above minScore" is a range). ByAmount: partition program, ordered by loan amount then date. Within
/// an index partition the candidates are spread over <see cref="CandidateIndexOptions.PageCount"/> page rows by the
/// customer's grain hash, as the customer store spreads its rows, so a batch's storage partition writes one row per
/// tier and one by amount, not two per offered customer. Each page is kept sorted; a query merges the partition's
/// pages in key order, so a page of results or a continuation means what it would on one ordered table. A page is
/// changed by read, modify and replace under its ETag, so concurrent writers (a batch and a customer's withdrawal)
/// never lose each other's changes. A silo keeps the pages it decoded for paged queries with their ETags and rereads
/// only pages that changed. Every entry carries its expiry; queries skip expired entries and
/// <see cref="PurgeExpiredAsync"/> removes them.
/// </summary>
public sealed partial class CandidateIndex
{
    private const int ScoreScale = 1_000_000;
    private const string CountProperty = "Count";
    private const string RawSizeProperty = "RawSize";

    /// <summary>The earliest expiry of a page's entries: what the purge looks for.</summary>
    private const string FirstExpiryProperty = "FirstExpiry";

    /// <summary>The latest expiry of a page's entries: a page past it holds nothing a query returns.</summary>
    private const string LastExpiryProperty = "LastExpiry";

    /// <summary>Below the service's 1 MiB entity limit, with room for the row's keys and other properties.</summary>
    private const int MaxPageBytes = 15 * StateRows.MaxPropertyBytes;

    /// <summary>How many decoded entries a silo keeps for paged queries (about 40 MB): a tier of a book of some millions of customers.</summary>
    private const int MaxDecodedEntries = 200_000;

    /// <summary>Writers that keep changing a page between this writer's read and write make it give up after this many reads.</summary>
    private const int MaxPageAttempts = 20;

    /// <summary>The stored format of the entries: its own settings, so a change to the API's JSON cannot change it.</summary>
    private static readonly JsonSerializerOptions RowJson = new(JsonSerializerDefaults.Web);

    private readonly CandidateIndexOptions _options;
    private readonly ILogger<CandidateIndex> _logger;
    private readonly TableServiceClient _service;
    private readonly PagedIndex _byTier;
    private readonly PagedIndex _byAmount;
    private readonly PagedIndex[] _indexes;

    /// <summary>Pages this silo decoded for paged queries, by table, partition and page, with the ETag they were read at.</summary>
    private readonly ConcurrentDictionary<DecodedPageKey, DecodedPage> _decoded = new();

    /// <summary>About how many entries <see cref="_decoded"/> holds.</summary>
    private int _decodedEntries;

    public CandidateIndex(IOptions<CandidateIndexOptions> options, ILogger<CandidateIndex> logger)
    {
        _options = options.Value;
        _logger = logger;
        _service = _options.CreateClient();
        _byTier = new PagedIndex(_service.GetTableClient(_options.TablePrefix + "TierPages"), entry => TierPartition(entry.ProgramId, entry.Tier), TierOrder);
        _byAmount = new PagedIndex(_service.GetTableClient(_options.TablePrefix + "AmountPages"), entry => TableNames.EscapeKey(entry.ProgramId), AmountOrder);
        _indexes = [_byTier, _byAmount];
    }

    /// <summary>Creates the page tables, and moves the rows of an index kept a row per candidate (before pages) into them.</summary>
    public async Task CreateTablesAsync(CancellationToken cancellationToken = default)
    {
        foreach (var index in _indexes)
        {
            await index.Table.CreateIfNotExistsAsync(cancellationToken);
        }

        await MoveRowsIntoPagesAsync(cancellationToken);
    }

    /// <summary>
    /// Writes candidates and removes the entries they replace. A customer has one entry per page, so an upsert replaces
    /// the customer's entry there; a removal removes only the very entry it names, so a late removal of an older
    /// candidate leaves a newer one standing.
    /// </summary>
    public async Task WriteAsync(IReadOnlyCollection<CandidateEntry> upserts, IReadOnlyCollection<CandidateEntry> removals, CancellationToken cancellationToken = default)
    {
        var changes = new Dictionary<(PagedIndex Index, string PartitionKey, string RowKey), PageChange>();
        foreach (var index in _indexes)
        {
            foreach (var entry in removals)
            {
                Change(index, entry).Removals.Add(index.Order(entry));
            }

            foreach (var entry in upserts)
            {
                Change(index, entry).Upserts[entry.CustomerId] = entry;
            }
        }

        await Parallel.ForEachAsync(changes, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (change, token) =>
            await UpdatePageAsync(change.Key.Index, change.Key.PartitionKey, change.Key.RowKey, change.Value.ApplyTo, token));

        PageChange Change(PagedIndex index, CandidateEntry entry)
        {
            var key = (index, index.PartitionOf(entry), PageOf(entry.CustomerId));
            if (!changes.TryGetValue(key, out var change))
            {
                changes[key] = change = new PageChange(index.Order);
            }

            return change;
        }
    }

    /// <summary>Unexpired candidates of a tier, best score first, down to <paramref name="minScore"/>.</summary>
    public Task<CandidatePage> QueryByTierAsync(string programId, string tier, double minScore, int limit, string? continuation, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        QueryPageAsync(_byTier, TierPartition(programId, tier), lowest: null, beyond: ScoreRowPrefix(minScore) + "|\uffff", limit, continuation, now, cancellationToken);

    /// <summary>Unexpired candidates of a program by loan amount (ascending) between the bounds.</summary>
    public Task<CandidatePage> QueryByAmountAsync(string programId, decimal minAmount, decimal maxAmount, int limit, string? continuation, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        QueryPageAsync(_byAmount, TableNames.EscapeKey(programId), lowest: AmountPrefix(minAmount), beyond: AmountPrefix(maxAmount + 1), limit, continuation, now, cancellationToken);

    /// <summary>Every unexpired candidate of a tier, best score first.</summary>
    public IAsyncEnumerable<CandidateEntry> LiveAsync(string programId, string tier, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        LiveInOrderAsync(_byTier, TierPartition(programId, tier), now, cancellationToken);

    /// <summary>Every unexpired candidate of a program, by loan amount (ascending).</summary>
    public IAsyncEnumerable<CandidateEntry> LiveByAmountAsync(string programId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        LiveInOrderAsync(_byAmount, TableNames.EscapeKey(programId), now, cancellationToken);

    /// <summary>How many unexpired candidates a tier has: a page with nothing expired is counted from its row, undecoded.</summary>
    public async Task<int> CountLiveAsync(string programId, string tier, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var partitionKey = TierPartition(programId, tier);
        var count = 0;
        await foreach (var row in _byTier.Table.QueryAsync<TableEntity>(
            LivePages(partitionKey, now),
            select: ["RowKey", CountProperty, FirstExpiryProperty], cancellationToken: cancellationToken))
        {
            if (row.GetDateTimeOffset(FirstExpiryProperty) > now)
            {
                count += row.GetInt32(CountProperty) ?? 0;
            }
            else if ((await _byTier.Table.GetEntityIfExistsAsync<TableEntity>(partitionKey, row.RowKey, cancellationToken: cancellationToken)) is { HasValue: true } page)
            {
                count += Decode(page.Value!).Count(entry => entry.ExpiresAt > now);
            }
        }

        return count;
    }

    /// <summary>Removes every expired entry of both indexes (a page left empty is deleted); returns how many entries.</summary>
    public async Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var removed = 0;
        foreach (var index in _indexes)
        {
            var due = await index.Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"FirstExpiry le {now}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken)
                .Select(row => (row.PartitionKey, row.RowKey))
                .ToListAsync(cancellationToken);
            foreach (var (partitionKey, rowKey) in due)
            {
                removed += await UpdatePageAsync(index, partitionKey, rowKey, entries => entries.RemoveAll(entry => entry.ExpiresAt <= now), cancellationToken);
            }
        }

        LogPurged(removed, now);
        return removed;
    }

    /// <summary>The pages of an index partition that hold an entry unexpired at <paramref name="now"/>.</summary>
    private static string LivePages(string partitionKey, DateTimeOffset now) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and LastExpiry gt {now}");

    /// <summary>Whether <paramref name="continuation"/> could have come from a page of this index.</summary>
    public static bool IsContinuation(string continuation) => TryDecodeContinuation(continuation, out _);

    /// <summary>An index partition's unexpired entries in key order, from one read of its pages (paging through them would read them all for each page).</summary>
    private static async IAsyncEnumerable<CandidateEntry> LiveInOrderAsync(
        PagedIndex index, string partitionKey, DateTimeOffset now, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Read once and not kept: a campaign or an export reads a partition whole, once.
        var pages = new List<SortedPage>();
        await foreach (var row in index.Table.QueryAsync<TableEntity>(
            LivePages(partitionKey, now), cancellationToken: cancellationToken))
        {
            pages.Add(SortedPage.Of(row, index.Order).LiveAt(now));
        }

        foreach (var entry in Merge(pages, after: null, lowest: null, beyond: null))
        {
            yield return entry;
        }
    }

    /// <summary>Up to <paramref name="limit"/> entries after the continuation's key, from the index partition's pages merged.</summary>
    private async Task<CandidatePage> QueryPageAsync(
        PagedIndex index, string partitionKey, string? lowest, string beyond, int limit, string? continuation, DateTimeOffset now, CancellationToken cancellationToken)
    {
        string? after = null;
        if (continuation is not null && !TryDecodeContinuation(continuation, out after))
        {
            throw new ArgumentException("The continuation was not issued by this index.", nameof(continuation));
        }

        var pages = await ReadPagesAsync(index, partitionKey, now, cancellationToken);
        var entries = Merge(pages, after, lowest, beyond).Take(limit + 1).ToList();
        var more = entries.Count > limit;
        return new CandidatePage(entries.Take(limit).ToList(), more ? EncodeContinuation(index.Order(entries[limit - 1])) : null);
    }

    /// <summary>
    /// The unexpired entries of an index partition's pages, each page's in key order with their keys. The partition's
    /// page list is read with keys and ETags only, and only pages that changed since this silo last decoded them are
    /// read whole (all in one query when many changed), so a query after the first costs about the list's read.
    /// </summary>
    private async Task<List<SortedPage>> ReadPagesAsync(PagedIndex index, string partitionKey, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var filter = LivePages(partitionKey, now);
        var listed = await index.Table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken)
            .Select(row => (Key: new DecodedPageKey(index.Table.Name, partitionKey, row.RowKey), row.ETag))
            .ToListAsync(cancellationToken);
        var changed = listed.Where(page => page.ETag == default || !_decoded.TryGetValue(page.Key, out var held) || held.ETag != page.ETag).ToList();
        var read = new ConcurrentDictionary<DecodedPageKey, SortedPage>();
        if (changed.Count > listed.Count / 4)
        {
            await foreach (var row in index.Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                var key = new DecodedPageKey(index.Table.Name, partitionKey, row.RowKey);
                read[key] = Remember(index, key, row);
            }
        }
        else
        {
            await Parallel.ForEachAsync(changed, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (page, token) =>
            {
                var row = await index.Table.GetEntityIfExistsAsync<TableEntity>(partitionKey, page.Key.RowKey, cancellationToken: token);
                if (row.HasValue)
                {
                    read[page.Key] = Remember(index, page.Key, row.Value!);
                }
            });
        }

        return [.. listed
            .Select(page => read.TryGetValue(page.Key, out var fresh) ? fresh : _decoded.TryGetValue(page.Key, out var held) ? held.Page : null)
            .OfType<SortedPage>()
            .Select(page => page.LiveAt(now))];
    }

    /// <summary>A page row decoded, kept with its ETag for the next query; the decoded pages are dropped together when they grow past their bound.</summary>
    private SortedPage Remember(PagedIndex index, DecodedPageKey key, TableEntity row)
    {
        var page = SortedPage.Of(row, index.Order);
        if (row.ETag == default)
        {
            return page;
        }

        var replaced = _decoded.TryGetValue(key, out var old) ? old.Page.Entries.Length : 0;
        _decoded[key] = new DecodedPage(row.ETag, page);
        if (Interlocked.Add(ref _decodedEntries, page.Entries.Length - replaced) > MaxDecodedEntries)
        {
            _decoded.Clear();
            Interlocked.Exchange(ref _decodedEntries, 0);
        }

        return page;
    }

    /// <summary>Pages' entries, each page already in key order, as one sequence in key order within (after or lowest, beyond).</summary>
    private static IEnumerable<CandidateEntry> Merge(List<SortedPage> pages, string? after, string? lowest, string? beyond)
    {
        var heads = new PriorityQueue<(SortedPage Page, int Position), string>(StringComparer.Ordinal);
        foreach (var page in pages)
        {
            var start = after is null ? 0 : page.FirstAbove(after);
            start = lowest is null ? start : Math.Max(start, page.FirstAtLeast(lowest));
            if (start < page.Keys.Length)
            {
                heads.Enqueue((page, start), page.Keys[start]);
            }
        }

        while (heads.TryDequeue(out var head, out var key))
        {
            if (beyond is not null && string.CompareOrdinal(key, beyond) >= 0)
            {
                yield break;
            }

            yield return head.Page.Entries[head.Position];
            if (head.Position + 1 < head.Page.Keys.Length)
            {
                heads.Enqueue((head.Page, head.Position + 1), head.Page.Keys[head.Position + 1]);
            }
        }
    }

    /// <summary>
    /// Reads a page, applies <paramref name="change"/> (which returns how many entries it changed) and replaces the page
    /// under the ETag it was read with; a page another writer changed meanwhile is read and changed again.
    /// </summary>
    private static async Task<int> UpdatePageAsync(PagedIndex index, string partitionKey, string rowKey, Func<List<CandidateEntry>, int> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var stored = await index.Table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken);
            var entries = stored.HasValue ? Decode(stored.Value!) : [];
            var changed = change(entries);
            if (changed == 0)
            {
                return 0;
            }

            try
            {
                if (entries.Count > 0)
                {
                    var page = Encode(index, partitionKey, rowKey, entries);
                    await (stored.HasValue
                        ? index.Table.UpdateEntityAsync(page, stored.Value!.ETag, TableUpdateMode.Replace, cancellationToken)
                        : index.Table.AddEntityAsync(page, cancellationToken));
                }
                else if (stored.HasValue)
                {
                    await index.Table.DeleteEntityAsync(partitionKey, rowKey, stored.Value!.ETag, cancellationToken);
                }

                return changed;
            }
            catch (RequestFailedException raced) when (raced.Status is 404 or 409 or 412 && attempt < MaxPageAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 * attempt)), cancellationToken);
            }
        }
    }

    /// <summary>A page row: its entries sorted in the index's order, as JSON compressed with Brotli, with their count and expiry range.</summary>
    private static TableEntity Encode(PagedIndex index, string partitionKey, string rowKey, List<CandidateEntry> entries)
    {
        var sorted = entries.ToArray();
        Array.Sort(Array.ConvertAll(sorted, entry => index.Order(entry)), sorted, StringComparer.Ordinal);
        var json = JsonSerializer.SerializeToUtf8Bytes(sorted, RowJson);
        var compressed = StateCompression.Compress(json);
        if (compressed.Length > MaxPageBytes)
        {
            throw new InvalidOperationException(
                $"Candidate page {partitionKey}/{rowKey} would hold {entries.Count:N0} entries in {compressed.Length:N0} bytes, over the {MaxPageBytes:N0} a row can; raise {nameof(CandidateIndexOptions)}.{nameof(CandidateIndexOptions.PageCount)}.");
        }

        var row = new TableEntity(partitionKey, rowKey)
        {
            [CountProperty] = sorted.Length,
            [RawSizeProperty] = json.Length,
            [FirstExpiryProperty] = sorted.Min(entry => entry.ExpiresAt),
            [LastExpiryProperty] = sorted.Max(entry => entry.ExpiresAt),
        };
        StateRows.SetPayload(row, compressed);
        return row;
    }

    private static List<CandidateEntry> Decode(TableEntity page) =>
        JsonSerializer.Deserialize<List<CandidateEntry>>(
            StateCompression.Decompress(StateRows.GetPayload(page) ?? [], page.GetInt32(RawSizeProperty) ?? 0, page), RowJson)
        ?? throw new FormatException($"Candidate page {page.PartitionKey}/{page.RowKey} holds no entries.");

    private static string EncodeContinuation(string key) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(key));

    private static bool TryDecodeContinuation(string continuation, [NotNullWhen(true)] out string? key)
    {
        key = null;
        if (continuation.Length == 0 || !Base64Url.IsValid(continuation))
        {
            return false;
        }

        try
        {
            key = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Base64Url.DecodeFromChars(continuation));
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>
    /// Versions before pages kept a row per candidate in each index, in one table per index or spread over shard tables;
    /// every candidate is in the ByTier rows, so those are read into pages and every old table dropped. Page writes
    /// replace a customer's entry, so this is safe to repeat if a silo stops half way or several start at once.
    /// </summary>
    private async Task MoveRowsIntoPagesAsync(CancellationToken cancellationToken)
    {
        var shards = Enumerable.Range(0, 64).Select(shard => shard.ToString("D2", CultureInfo.InvariantCulture)).Prepend(string.Empty).ToList();
        var byTier = shards.Select(shard => _options.TablePrefix + "ByTier" + shard).ToList();
        var existing = await TableNames.ExistingAsync(_service, byTier.Concat(shards.Select(shard => _options.TablePrefix + "ByAmount" + shard)), cancellationToken);
        if (existing.Count == 0)
        {
            return;
        }

        var moved = 0;
        foreach (var table in existing.Where(table => byTier.Contains(table, StringComparer.OrdinalIgnoreCase)))
        {
            await foreach (var chunk in _service.GetTableClient(table).QueryAsync<TableEntity>(maxPerPage: 1000, cancellationToken: cancellationToken)
                .Select(ToEntry).Chunk(5000).WithCancellation(cancellationToken))
            {
                await WriteAsync(chunk, [], cancellationToken);
                moved += chunk.Length;
            }
        }

        foreach (var table in existing)
        {
            await _service.DeleteTableAsync(table, cancellationToken);
        }

        LogMovedIntoPages(moved, existing.Count);
    }

    /// <summary>A candidate row of the versions before pages: the entry packed in one property, or a property per field.</summary>
    private static CandidateEntry ToEntry(TableEntity row) => row.GetString("Entry") is { } packed
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
            row.GetDateTimeOffset("ExpiresAt") ?? default);

    /// <summary>The page of a customer's entries: its grain hash, as the customer store's bucket.</summary>
    private string PageOf(string customerId) =>
        "p" + (GrainId.Create(_options.CustomerGrainType, customerId).GetUniformHashCode() % (uint)_options.PageCount).ToString("D4", CultureInfo.InvariantCulture);

    internal static string TierOrder(CandidateEntry entry) => ScoreRowPrefix(entry.Score) + "|" + TableNames.EscapeKey(entry.CustomerId);

    internal static string AmountOrder(CandidateEntry entry) =>
        AmountPrefix(entry.LoanAmount) + "|" + entry.OfferedAt.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "|" + TableNames.EscapeKey(entry.CustomerId);

    private static string TierPartition(string programId, string tier) => TableNames.EscapeKey(programId) + "|" + TableNames.EscapeKey(tier);

    /// <summary>Higher scores sort first: the key holds the score's distance from 1.</summary>
    private static string ScoreRowPrefix(double score) =>
        (ScoreScale - (int)Math.Round(Math.Clamp(score, 0, 1) * ScoreScale)).ToString("D7", CultureInfo.InvariantCulture);

    private static string AmountPrefix(decimal amount) =>
        ((long)Math.Floor(Math.Clamp(amount, 0, 9_999_999_999m))).ToString("D10", CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} expired candidates (before {Now})")]
    private partial void LogPurged(int count, DateTimeOffset now);

    [LoggerMessage(Level = LogLevel.Information, Message = "Moved {Count} candidates from {Tables} row-per-candidate tables into pages")]
    private partial void LogMovedIntoPages(int count, int tables);

    private readonly record struct DecodedPageKey(string Table, string PartitionKey, string RowKey);

    private sealed record DecodedPage(ETag ETag, SortedPage Page);

    /// <summary>One of the two indexes: its table, the partition an entry belongs to, and the order of entries in it.</summary>
    private sealed record PagedIndex(TableClient Table, Func<CandidateEntry, string> PartitionOf, Func<CandidateEntry, string> Order);

    /// <summary>What one write does to one page: entries removed by key, then customers' entries replaced.</summary>
    private sealed class PageChange(Func<CandidateEntry, string> order)
    {
        public HashSet<string> Removals { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, CandidateEntry> Upserts { get; } = new(StringComparer.Ordinal);

        public int ApplyTo(List<CandidateEntry> entries)
        {
            var changed = entries.RemoveAll(entry => Removals.Contains(order(entry)) || Upserts.ContainsKey(entry.CustomerId));
            entries.AddRange(Upserts.Values);
            return changed + Upserts.Count;
        }
    }

    /// <summary>A page's entries in key order, beside their keys.</summary>
    private sealed record SortedPage(CandidateEntry[] Entries, string[] Keys)
    {
        private readonly DateTimeOffset _firstExpiry = Entries.Length == 0 ? DateTimeOffset.MaxValue : Entries.Min(entry => entry.ExpiresAt);

        public static SortedPage Of(TableEntity row, Func<CandidateEntry, string> order)
        {
            var entries = Decode(row).ToArray();
            return new SortedPage(entries, [.. entries.Select(order)]);
        }

        /// <summary>The page without the entries expired by <paramref name="now"/>: itself when none has.</summary>
        public SortedPage LiveAt(DateTimeOffset now)
        {
            if (_firstExpiry > now)
            {
                return this;
            }

            var live = Enumerable.Range(0, Entries.Length).Where(position => Entries[position].ExpiresAt > now).ToArray();
            return new SortedPage([.. live.Select(position => Entries[position])], [.. live.Select(position => Keys[position])]);
        }

        public int FirstAbove(string key) => Bound(key, inclusive: false);

        public int FirstAtLeast(string key) => Bound(key, inclusive: true);

        private int Bound(string key, bool inclusive)
        {
            int low = 0, high = Keys.Length;
            while (low < high)
            {
                var middle = (low + high) / 2;
                var comparison = string.CompareOrdinal(Keys[middle], key);
                if (comparison < 0 || !inclusive && comparison == 0)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle;
                }
            }

            return low;
        }
    }
}
