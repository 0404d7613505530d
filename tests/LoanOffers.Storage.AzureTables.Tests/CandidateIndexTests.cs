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

    private async Task<CandidateIndex> NewIndexAsync(string? tablePrefix = null)
    {
        var index = new CandidateIndex(
            Options.Create(new CandidateIndexOptions { ConnectionString = fixture.ConnectionString, TablePrefix = tablePrefix ?? AzuriteFixture.UniqueName("ci") }),
            NullLogger<CandidateIndex>.Instance);
        await index.CreateTablesAsync();
        return index;
    }

    private static CandidateEntry Candidate(int i, DateTimeOffset expiresAt) =>
        new("p1", $"C{i:D4}", "excellent", Score: (i * 7919 % 1000) / 1000.0, LoanAmount: 5_000 + i * 37 % 20_000, 8.5m, 9.1m, Now, expiresAt);

    [Fact]
    public async Task Pages_come_out_in_index_order_without_gaps_or_repeats_and_skip_expired_rows()
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
    public async Task A_replaced_candidate_leaves_both_indexes_and_the_purge_deletes_only_expired_rows()
    {
        var index = await NewIndexAsync();
        var first = Candidate(1, Now.AddDays(90));
        var stale = Candidate(2, Now.AddDays(-1));
        await index.WriteAsync([first, stale], []);
        var replacement = first with { Score = 0.99, LoanAmount = 42_000 };
        await index.WriteAsync([replacement], [first]);

        var tier = await index.QueryByTierAsync("p1", "excellent", 0, 100, null, Now);
        var amount = await index.QueryByAmountAsync("p1", 0, 1_000_000, 100, null, Now);
        var purged = await index.PurgeExpiredAsync(Now);

        Assert.Equal([replacement], tier.Candidates);
        Assert.Equal([replacement], amount.Candidates);
        Assert.Equal(2, purged);
        Assert.Equal(0, await index.PurgeExpiredAsync(Now));
    }

    [Fact]
    public async Task A_customer_partitions_candidates_share_one_shard_the_table_of_its_customer_rows()
    {
        var prefix = AzuriteFixture.UniqueName("ci");
        var index = await NewIndexAsync(prefix);
        var layout = new GrainStateLayout("svc", tableCount: 16, partitionsPerTable: 16);
        var candidates = Enumerable.Range(0, 200).Select(i => Candidate(i, Now.AddDays(90))).ToList();
        await index.WriteAsync(candidates, []);

        var service = new TableServiceClient(fixture.ConnectionString);
        foreach (var shard in Enumerable.Range(0, 16))
        {
            var expected = candidates
                .Where(candidate => layout.Bucket(GrainId.Create("customer", candidate.CustomerId)).Table == shard)
                .Select(candidate => candidate.CustomerId).Order().ToList();
            foreach (var table in new[] { "ByTier", "ByAmount" })
            {
                var stored = new List<string>();
                await foreach (var row in service.GetTableClient($"{prefix}{table}{shard:D2}").QueryAsync<TableEntity>(select: ["Entry"]))
                {
                    stored.Add(JsonSerializer.Deserialize<CandidateEntry>(row.GetString("Entry"), ApiJson.Options)!.CustomerId);
                }

                Assert.Equal(expected, stored.Order());
            }
        }
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
    public async Task An_index_kept_in_one_table_per_index_moves_into_the_shards_when_the_tables_are_created()
    {
        var prefix = AzuriteFixture.UniqueName("ci");
        var service = new TableServiceClient(fixture.ConnectionString);
        var candidates = Enumerable.Range(0, 150).Select(i => Candidate(i, Now.AddDays(90))).ToList();
        // Before sharding each index was one table, its rows keyed as in a shard now, with a property per field.
        foreach (var (table, key) in new (string, Func<CandidateEntry, (string, string)>)[] { ("ByTier", CandidateIndex.TierKey), ("ByAmount", CandidateIndex.AmountKey) })
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
        var left = new List<string>();
        await foreach (var table in service.QueryAsync(TableClient.CreateQueryFilter($"TableName eq {prefix + "ByTier"} or TableName eq {prefix + "ByAmount"}")))
        {
            left.Add(table.Name);
        }

        Assert.Equal(candidates.OrderByDescending(c => c.Score).ThenBy(c => c.CustomerId, StringComparer.Ordinal).Select(c => c.CustomerId),
            byTier.Candidates.Select(c => c.CustomerId));
        Assert.Equal(candidates.Select(c => c.CustomerId).Order(), byAmount.Candidates.Select(c => c.CustomerId).Order());
        Assert.Equal(candidates.OrderBy(c => c.CustomerId).Select(c => c.LoanAmount), byAmount.Candidates.OrderBy(c => c.CustomerId).Select(c => c.LoanAmount));
        Assert.Empty(left);
    }

    [Fact]
    public async Task Rows_written_with_a_property_per_field_read_as_the_packed_rows_do()
    {
        var prefix = AzuriteFixture.UniqueName("ci");
        var index = await NewIndexAsync(prefix);
        var candidates = Enumerable.Range(0, 6).Select(i => Candidate(i, Now.AddDays(90))).ToList();
        await index.WriteAsync(candidates, []);

        // Half the rows rewritten where the index put them, as versions before the packed entry wrote them.
        var service = new TableServiceClient(fixture.ConnectionString);
        var rewritten = 0;
        foreach (var candidate in candidates.Take(3))
        {
            var key = CandidateIndex.TierKey(candidate);
            foreach (var shard in Enumerable.Range(0, new CandidateIndexOptions().ShardCount))
            {
                var table = service.GetTableClient($"{prefix}ByTier{shard:D2}");
                if ((await table.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey)).HasValue)
                {
                    await table.UpsertEntityAsync(PerFieldRow(candidate, key), TableUpdateMode.Replace);
                    rewritten++;
                }
            }
        }

        var page = await index.QueryByTierAsync("p1", "excellent", 0, 100, null, Now);

        Assert.Equal(3, rewritten);
        Assert.Equal(candidates.OrderByDescending(c => c.Score).ThenBy(c => c.CustomerId, StringComparer.Ordinal), page.Candidates);
    }

    /// <summary>A candidate row as versions before the packed entry wrote it: a property per field.</summary>
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
