using LoanOffers.Abstractions;
using LoanOffers.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LoanOffers.Storage.AzureTables.Tests;

[Collection(SiloCollection.Name)]
public sealed class CandidateIndexTests(SiloFixture fixture)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 2, 0, 0, TimeSpan.Zero);

    private async Task<CandidateIndex> NewIndexAsync()
    {
        var index = new CandidateIndex(
            Options.Create(new CandidateIndexOptions { ConnectionString = fixture.ConnectionString, TablePrefix = AzuriteFixture.UniqueName("ci") }),
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
}
