using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using LoanOffers.Abstractions;
using LoanOffers.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace LoanOffers.Storage.AzureTables.Tests;

[Collection(SiloCollection.Name)]
public sealed class CandidateIndexTests(SiloFixture fixture)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 2, 0, 0, TimeSpan.Zero);

    private async Task<CandidateIndex> NewIndexAsync(string? tablePrefix = null, int pageCount = 256)
    {
        var index = new CandidateIndex(
            Options.Create(new CandidateIndexOptions { ConnectionString = fixture.ConnectionString, TablePrefix = tablePrefix ?? AzuriteFixture.UniqueName("ci"), PageCount = pageCount }),
            NullLogger<CandidateIndex>.Instance);
        await index.CreateTablesAsync();
        return index;
    }

    private static CandidateEntry Candidate(int i, DateTimeOffset expiresAt) =>
        new("p1", $"C{i:D4}", "excellent", Score: (i * 7919 % 1000) / 1000.0, LoanAmount: 5_000 + i * 37 % 20_000, 8.5m, 9.1m, Now, expiresAt);

    [Fact]
    public async Task Pages_come_out_in_index_order_without_gaps_or_repeats_and_skip_expired_entries()
    {
        var index = await NewIndexAsync();
        var live = Enumerable.Range(0, 230).Select(i => Candidate(i, Now.AddDays(90))).ToList();
        var expired = Enumerable.Range(230, 20).Select(i => Candidate(i, Now.AddDays(-1))).ToList();
        await index.WriteAsync([.. live, .. expired], []);

        var byTier = new List<CandidateEntry>();
        var byAmount = new List<CandidateEntry>();
        string? tierToken = null, amountToken = null;
        do
        {
            var page = await index.QueryByTierAsync("p1", "excellent", 0, 40, tierToken, Now);
            Assert.InRange(page.Candidates.Count, 1, 40);
            byTier.AddRange(page.Candidates);
            tierToken = page.Continuation;
        }
        while (tierToken is not null);
        do
        {
            var page = await index.QueryByAmountAsync("p1", 0, 1_000_000, 33, amountToken, Now);
            byAmount.AddRange(page.Candidates);
            amountToken = page.Continuation;
        }
        while (amountToken is not null);

        Assert.Equal(live.Select(c => c.CustomerId).Order(), byTier.Select(c => c.CustomerId).Order());
        Assert.Equal(byTier.Select(c => c.Score).OrderDescending(), byTier.Select(c => c.Score));
        Assert.Equal(live.Select(c => c.CustomerId).Order(), byAmount.Select(c => c.CustomerId).Order());
        Assert.Equal(byAmount.Select(c => c.LoanAmount).Order(), byAmount.Select(c => c.LoanAmount));
        var aboveHalf = await index.QueryByTierAsync("p1", "excellent", 0.5, 1000, null, Now);
        Assert.Equal(live.Count(c => c.Score >= 0.5), aboveHalf.Candidates.Count);
        Assert.All(aboveHalf.Candidates, c => Assert.True(c.Score >= 0.5));
    }

    [Fact]
    public async Task A_replaced_candidate_leaves_both_indexes_and_the_purge_removes_only_expired_entries()
    {
        // One page, so the expired entry shares its page with the live one.
        var index = await NewIndexAsync(pageCount: 1);
        var first = Candidate(1, Now.AddDays(90));
        var stale = Candidate(2, Now.AddDays(-1));
        await index.WriteAsync([first, stale], []);
        var replacement = first with { Score = 0.99, LoanAmount = 42_000 };
        await index.WriteAsync([replacement], [first]);

        var tier = await index.QueryByTierAsync("p1", "excellent", 0, 100, null, Now);
        var amount = await index.QueryByAmountAsync("p1", 0, 1_000_000, 100, null, Now);
        var countedBeforePurge = await index.CountLiveAsync("p1", "excellent", Now);
        var purged = await index.PurgeExpiredAsync(Now);

        Assert.Equal([replacement], tier.Candidates);
        Assert.Equal([replacement], amount.Candidates);
        Assert.Equal(1, countedBeforePurge);
        Assert.Equal(2, purged);
        Assert.Equal(0, await index.PurgeExpiredAsync(Now));
        Assert.Equal(1, await index.CountLiveAsync("p1", "excellent", Now));
        Assert.Equal([replacement], (await index.QueryByTierAsync("p1", "excellent", 0, 100, null, Now)).Candidates);
    }

    [Fact]
    public async Task A_storage_partitions_candidates_share_one_page_of_each_index()
    {
        var prefix = AzuriteFixture.UniqueName("ci");
        var index = await NewIndexAsync(prefix);
        var layout = new GrainStateLayout("svc", tableCount: 64, partitionsPerTable: 4);
        var candidates = Enumerable.Range(0, 600).Select(i => Candidate(i, Now.AddDays(90))).ToList();
        await index.WriteAsync(candidates, []);

        // The storage partition (table t, partition p) of 64 tables of 4 is the page t + 64p of 256.
        var expected = candidates
            .GroupBy(candidate => layout.Bucket(GrainId.Create("customer", candidate.CustomerId)))
            .ToDictionary(bucket => $"p{bucket.Key.Table + 64 * bucket.Key.Partition:D4}", bucket => bucket.Count());
        var service = new TableServiceClient(fixture.ConnectionString);
        foreach (var table in new[] { "TierPages", "AmountPages" })
        {
            var pages = await service.GetTableClient(prefix + table).QueryAsync<TableEntity>(select: ["RowKey", "Count"])
                .ToDictionaryAsync(row => row.RowKey, row => row.GetInt32("Count") ?? 0);

            Assert.Equal(expected.OrderBy(page => page.Key), pages.OrderBy(page => page.Key));
        }
    }

    [Fact]
    public async Task Concurrent_writers_of_one_page_lose_none_of_each_others_entries()
    {
        var index = await NewIndexAsync(pageCount: 1);
        var writers = Enumerable.Range(0, 16)
            .Select(writer => Enumerable.Range(writer * 10, 10).Select(i => Candidate(i, Now.AddDays(90))).ToList())
            .ToList();

        await Task.WhenAll(writers.Select(entries => index.WriteAsync(entries, [])));
        var tier = await index.QueryByTierAsync("p1", "excellent", 0, 1000, null, Now);
        var amount = await index.QueryByAmountAsync("p1", 0, 1_000_000, 1000, null, Now);

        Assert.Equal(writers.SelectMany(entries => entries).Select(c => c.CustomerId).Order(), tier.Candidates.Select(c => c.CustomerId).Order());
        Assert.Equal(160, amount.Candidates.Count);
    }

    [Fact]
    public async Task A_query_answers_what_another_silo_changed_since_this_one_last_read_the_pages()
    {
        var prefix = AzuriteFixture.UniqueName("ci");
        var reader = await NewIndexAsync(prefix, pageCount: 4);
        var writer = await NewIndexAsync(prefix, pageCount: 4);
        var first = Enumerable.Range(0, 40).Select(i => Candidate(i, Now.AddDays(90))).ToList();
        await writer.WriteAsync(first, []);
        var before = await reader.QueryByTierAsync("p1", "excellent", 0, 1000, null, Now);

        // One entry replaced, one removed and one added, by the other index; then every entry of the program removed.
        var rescored = first[0] with { Score = 0.999 };
        var added = Candidate(500, Now.AddDays(90));
        await writer.WriteAsync([rescored, added], [first[1]]);
        var changed = await reader.QueryByTierAsync("p1", "excellent", 0, 1000, null, Now);
        var byAmount = await reader.QueryByAmountAsync("p1", 0, 1_000_000, 1000, null, Now);
        await writer.WriteAsync([], [rescored, added, .. first.Skip(2)]);
        var emptied = await reader.QueryByTierAsync("p1", "excellent", 0, 1000, null, Now);

        Assert.Equal(40, before.Candidates.Count);
        Assert.Equal([rescored], changed.Candidates.Take(1));
        Assert.Equal(first.Where(c => c != first[1]).Select(c => c.CustomerId).Append(added.CustomerId).Order(), changed.Candidates.Select(c => c.CustomerId).Order());
        Assert.DoesNotContain(first[1], changed.Candidates);
        Assert.Equal(changed.Candidates.Select(c => c.CustomerId).Order(), byAmount.Candidates.Select(c => c.CustomerId).Order());
        Assert.Empty(emptied.Candidates);
    }

    [Fact]
    public async Task A_late_removal_of_an_older_candidate_leaves_the_newer_one_standing()
    {
        var index = await NewIndexAsync();
        var older = Candidate(1, Now.AddDays(90));
        var newer = older with { Score = 0.97, LoanAmount = 30_000, OfferedAt = Now.AddDays(7) };
        await index.WriteAsync([older], []);
        await index.WriteAsync([newer], []);

        await index.WriteAsync([], [older]);
        var tier = await index.QueryByTierAsync("p1", "excellent", 0, 100, null, Now);
        var amount = await index.QueryByAmountAsync("p1", 0, 1_000_000, 100, null, Now);
        await index.WriteAsync([], [newer]);
        var afterRemoval = await index.QueryByTierAsync("p1", "excellent", 0, 100, null, Now);

        Assert.Equal([newer], tier.Candidates);
        Assert.Equal([newer], amount.Candidates);
        Assert.Empty(afterRemoval.Candidates);
    }

    [Fact]
    public async Task A_page_larger_than_one_property_reads_back_whole_and_in_order()
    {
        var index = await NewIndexAsync(pageCount: 1);
        var candidates = Enumerable.Range(0, 6000).Select(i => Candidate(i, Now.AddDays(90)) with { Score = i % 997 / 997.0 }).ToList();
        await index.WriteAsync(candidates, []);

        var read = new List<CandidateEntry>();
        string? token = null;
        do
        {
            var page = await index.QueryByTierAsync("p1", "excellent", 0, 1000, token, Now);
            read.AddRange(page.Candidates);
            token = page.Continuation;
        }
        while (token is not null);

        Assert.Equal(candidates.OrderByDescending(c => c.Score).ThenBy(c => c.CustomerId, StringComparer.Ordinal), read);
        Assert.Equal(6000, await index.CountLiveAsync("p1", "excellent", Now));
    }

    [Fact]
    public async Task A_continuation_the_index_did_not_issue_is_refused()
    {
        var index = await NewIndexAsync();
        await index.WriteAsync(Enumerable.Range(0, 5).Select(i => Candidate(i, Now.AddDays(90))).ToList(), []);
        var first = await index.QueryByTierAsync("p1", "excellent", 0, 2, null, Now);

        Assert.True(CandidateIndex.IsContinuation(first.Continuation!));
        Assert.False(CandidateIndex.IsContinuation("not+a+token!"));
        Assert.False(CandidateIndex.IsContinuation("//8"));
        await Assert.ThrowsAsync<ArgumentException>(() => index.QueryByAmountAsync("p1", 0, 1_000_000, 2, "not+a+token!", Now));
    }

    [Fact]
    public async Task An_index_kept_in_one_table_per_index_moves_into_pages_when_the_tables_are_created()
    {
        var prefix = AzuriteFixture.UniqueName("ci");
        var service = new TableServiceClient(fixture.ConnectionString);
        var candidates = Enumerable.Range(0, 150).Select(i => Candidate(i, Now.AddDays(90))).ToList();
        // The first versions kept each index in one table, a row per candidate with a property per field.
        foreach (var (table, key) in new (string, Func<CandidateEntry, (string, string)>)[] { ("ByTier", TierKey), ("ByAmount", AmountKey) })
        {
            var client = service.GetTableClient(prefix + table);
            await client.CreateAsync();
            foreach (var candidate in candidates)
            {
                await client.AddEntityAsync(PerFieldRow(candidate, key(candidate)));
            }
        }

        var index = await NewIndexAsync(prefix);
        var byTier = await index.QueryByTierAsync("p1", "excellent", 0, 1000, null, Now);
        var byAmount = await index.QueryByAmountAsync("p1", 0, 1_000_000, 1000, null, Now);

        Assert.Equal(candidates.OrderByDescending(c => c.Score).ThenBy(c => c.CustomerId, StringComparer.Ordinal), byTier.Candidates);
        Assert.Equal(candidates.Select(c => c.CustomerId).Order(), byAmount.Candidates.Select(c => c.CustomerId).Order());
        Assert.Equal(candidates.OrderBy(c => c.CustomerId).Select(c => c.LoanAmount), byAmount.Candidates.OrderBy(c => c.CustomerId).Select(c => c.LoanAmount));
        Assert.Empty(await OldTablesAsync(service, prefix));
    }

    [Fact]
    public async Task An_index_kept_in_shard_tables_a_row_per_candidate_moves_into_pages_when_the_tables_are_created()
    {
        var prefix = AzuriteFixture.UniqueName("ci");
        var service = new TableServiceClient(fixture.ConnectionString);
        var candidates = Enumerable.Range(0, 120).Select(i => Candidate(i, Now.AddDays(90))).ToList();
        // The versions before pages spread each index over 16 shard tables, the entry packed in one property (the
        // earliest of them wrote a property per field, so half the rows here are written that way).
        foreach (var (table, key) in new (string, Func<CandidateEntry, (string, string)>)[] { ("ByTier", TierKey), ("ByAmount", AmountKey) })
        {
            foreach (var shard in candidates.GroupBy(candidate => GrainId.Create("customer", candidate.CustomerId).GetUniformHashCode() % 16))
            {
                var client = service.GetTableClient($"{prefix}{table}{shard.Key:D2}");
                await client.CreateIfNotExistsAsync();
                foreach (var candidate in shard)
                {
                    await client.AddEntityAsync(int.Parse(candidate.CustomerId[1..], CultureInfo.InvariantCulture) % 2 == 0
                        ? PerFieldRow(candidate, key(candidate))
                        : new TableEntity(key(candidate).Item1, key(candidate).Item2) { ["Entry"] = JsonSerializer.Serialize(candidate, ApiJson.Options), ["ExpiresAt"] = candidate.ExpiresAt });
                }
            }
        }

        var index = await NewIndexAsync(prefix);
        var byTier = await index.QueryByTierAsync("p1", "excellent", 0, 1000, null, Now);
        var byAmount = await index.QueryByAmountAsync("p1", 0, 1_000_000, 1000, null, Now);

        Assert.Equal(candidates.OrderByDescending(c => c.Score).ThenBy(c => c.CustomerId, StringComparer.Ordinal), byTier.Candidates);
        Assert.Equal(candidates.OrderBy(c => c.LoanAmount).ThenBy(c => c.CustomerId, StringComparer.Ordinal).Select(c => c.CustomerId),
            byAmount.Candidates.Select(c => c.CustomerId));
        Assert.Empty(await OldTablesAsync(service, prefix));
    }

    /// <summary>The row-per-candidate tables of versions before pages that are left under <paramref name="prefix"/>.</summary>
    private static async Task<List<string>> OldTablesAsync(TableServiceClient service, string prefix) =>
        await service.QueryAsync(TableClient.CreateQueryFilter($"TableName ge {prefix + "By"} and TableName lt {prefix + "Bz"}")).Select(table => table.Name).ToListAsync();

    private static (string PartitionKey, string RowKey) TierKey(CandidateEntry entry) => ("p1|excellent", CandidateIndex.TierOrder(entry));

    private static (string PartitionKey, string RowKey) AmountKey(CandidateEntry entry) => ("p1", CandidateIndex.AmountOrder(entry));

    /// <summary>A candidate row as the first versions wrote it: a property per field.</summary>
    private static TableEntity PerFieldRow(CandidateEntry entry, (string PartitionKey, string RowKey) key) => new(key.PartitionKey, key.RowKey)
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
}
