using Azure.Data.Tables;
using LoanOffers.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace LoanOffers.Storage.AzureTables.Tests;

/// <summary>The hash-chained audit trail on a real Azurite: appends from many writers, and tampering it detects.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AuditTrailTests(AzuriteFixture azurite)
{
    private static readonly AuditActor Admin = new("alice", "lending-admin", "10.0.0.7");

    private async Task<(AuditTrail Trail, TableClient Table)> NewTrailAsync()
    {
        var name = AzuriteFixture.UniqueName("audit");
        var trail = new AuditTrail(azurite.Service, name, TimeProvider.System, NullLogger<AuditTrail>.Instance);
        await trail.CreateTableAsync();
        return (trail, azurite.Service.GetTableClient(name));
    }

    private static AuditRecord Change(int n) => new(Admin, AuditActions.ProgramConfigured, "p1", $$"""{"rate":{{n}}}""", $$"""{"rate":{{n + 1}}}""", [$"rate: {n} → {n + 1}"]);

    private static async Task<TableEntity> RowAsync(TableClient table, long sequence) =>
        (await table.GetEntityAsync<TableEntity>("audit", (long.MaxValue - sequence).ToString("D19"))).Value;

    [Fact]
    public async Task Entries_chain_by_hash_keep_who_what_when_and_before_after_and_read_newest_first()
    {
        var (trail, _) = await NewTrailAsync();

        var first = await trail.AppendAsync(Change(1));
        var second = await trail.AppendAsync(Change(2));
        var page = await trail.QueryAsync(new AuditQuery(null, null, "alice", AuditActions.ProgramConfigured, 10, null));

        Assert.Equal(AuditEntry.GenesisHash, first.PreviousHash);
        Assert.Equal(first.Hash, second.PreviousHash);
        Assert.Equal([2L, 1L], page.Entries.Select(entry => entry.Sequence));
        var newest = page.Entries[0];
        Assert.Equal(("alice", "lending-admin", "10.0.0.7"), (newest.Subject, newest.Role, newest.ClientAddress));
        Assert.Equal(("""{"rate":2}""", """{"rate":3}"""), (newest.Before, newest.After));
        Assert.Equal(["rate: 2 → 3"], newest.Changes);
        Assert.True(newest.IsIntact);
        Assert.True((await trail.VerifyAsync()).Intact);
    }

    [Fact]
    public async Task Writers_appending_at_once_make_one_unbroken_chain()
    {
        var (trail, table) = await NewTrailAsync();
        var otherSilo = new AuditTrail(azurite.Service, table.Name, TimeProvider.System, NullLogger<AuditTrail>.Instance);

        var appended = await Task.WhenAll(Enumerable.Range(0, 30).Select(n => (n % 2 == 0 ? trail : otherSilo).AppendAsync(Change(n))));

        Assert.Equal(Enumerable.Range(1, 30).Select(n => (long)n), appended.Select(entry => entry.Sequence).Order());
        var verification = await trail.VerifyAsync();
        Assert.True(verification.Intact, string.Join("; ", verification.Problems));
        Assert.Equal(30, verification.Entries);
    }

    [Fact]
    public async Task A_changed_entry_is_detected()
    {
        var (trail, table) = await NewTrailAsync();
        for (var n = 1; n <= 5; n++)
        {
            await trail.AppendAsync(Change(n));
        }

        var row = await RowAsync(table, 3);
        row["Subject"] = "mallory";
        await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);

        var verification = await trail.VerifyAsync();
        Assert.False(verification.Intact);
        Assert.Contains(verification.Problems, problem => problem.Contains("Entry 3 was changed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_removed_entry_in_the_middle_or_at_the_end_is_detected()
    {
        var (trail, table) = await NewTrailAsync();
        for (var n = 1; n <= 5; n++)
        {
            await trail.AppendAsync(Change(n));
        }

        var middle = await RowAsync(table, 2);
        await table.DeleteEntityAsync(middle.PartitionKey, middle.RowKey);
        var afterMiddle = await trail.VerifyAsync();
        var newest = await RowAsync(table, 5);
        await table.DeleteEntityAsync(newest.PartitionKey, newest.RowKey);
        var afterNewest = await trail.VerifyAsync();

        Assert.Contains(afterMiddle.Problems, problem => problem.Contains("Entries 2 to 2 are missing", StringComparison.Ordinal));
        Assert.Contains(afterNewest.Problems, problem => problem.Contains("head names entry 5", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rewritten_entry_with_a_fresh_hash_is_detected_by_its_successor()
    {
        var (trail, table) = await NewTrailAsync();
        for (var n = 1; n <= 3; n++)
        {
            await trail.AppendAsync(Change(n));
        }

        var row = await RowAsync(table, 2);
        var forged = new AuditRecord(new AuditActor("mallory", "lending-admin", null), AuditActions.ProgramConfigured, "p1", null, """{"rate":99}""", []);
        var at = row.GetDateTimeOffset("At")!.Value;
        row["Subject"] = "mallory";
        row["ClientAddress"] = null;
        row.Remove("Before0");
        row.Remove("BeforeChunks");
        row["After0"] = System.Text.Encoding.UTF8.GetBytes("""{"rate":99}""");
        row["AfterChunks"] = 1;
        row["Changes"] = "[]";
        row["Hash"] = AuditEntry.ComputeHash(2, at, forged, row.GetString("PreviousHash")!);
        await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);

        var verification = await trail.VerifyAsync();
        Assert.Contains(verification.Problems, problem => problem.Contains("Entry 2 is not the one its successor", StringComparison.Ordinal));
    }
}
