using LoanOffers.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;

namespace LoanOffers.Storage.AzureTables.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class ReminderTableTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly AzureTableReminderTable _table = new(
        Options.Create(new AzureTableReminderOptions { ConnectionString = azurite.ConnectionString, TableName = AzuriteFixture.UniqueName("rem") }),
        Options.Create(new ClusterOptions { ServiceId = "svc", ClusterId = "c" }),
        NullLogger<AzureTableReminderTable>.Instance);

    public Task InitializeAsync() => _table.StartAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static ReminderEntry Entry(GrainId grain, string name, int minutes = 5) => new()
    {
        GrainId = grain,
        ReminderName = name,
        StartAt = new DateTime(2026, 11, 23, 2, 0, 0, DateTimeKind.Utc),
        Period = TimeSpan.FromMinutes(minutes),
    };

    private static GrainId Grain(string key) => GrainId.Create("program", key);

    [Fact]
    public async Task Upsert_returns_a_new_etag_and_rows_read_back_by_grain_and_by_name()
    {
        var grain = Grain("weekly/loan-offers");
        var first = await _table.UpsertRow(Entry(grain, "batch"));
        var second = await _table.UpsertRow(Entry(grain, "batch", minutes: 10));
        await _table.UpsertRow(Entry(grain, "purge"));

        Assert.NotNull(first);
        Assert.NotEqual(first, second);
        var row = await _table.ReadRow(grain, "batch");
        Assert.NotNull(row);
        Assert.Equal(TimeSpan.FromMinutes(10), row.Period);
        Assert.Equal(second, row.ETag);
        Assert.Equal(new DateTime(2026, 11, 23, 2, 0, 0, DateTimeKind.Utc), row.StartAt);
        var all = await _table.ReadRows(grain);
        Assert.Equal(["batch", "purge"], all.Reminders.Select(r => r.ReminderName).Order());
        Assert.Null(await _table.ReadRow(grain, "missing"));
    }

    [Fact]
    public async Task Remove_with_a_stale_etag_returns_false_and_with_the_current_one_true()
    {
        var grain = Grain(Guid.NewGuid().ToString());
        var stale = await _table.UpsertRow(Entry(grain, "r"));
        var current = await _table.UpsertRow(Entry(grain, "r", minutes: 7));

        Assert.False(await _table.RemoveRow(grain, "r", stale!));
        Assert.True(await _table.RemoveRow(grain, "r", current!));
        Assert.False(await _table.RemoveRow(grain, "r", current!));
        Assert.Null(await _table.ReadRow(grain, "r"));
    }

    [Fact]
    public async Task Ring_ranges_select_by_grain_hash_including_the_wrap_around()
    {
        await _table.TestOnlyClearTable();
        var grains = Enumerable.Range(0, 60).Select(i => Grain("g" + i)).ToList();
        await Task.WhenAll(grains.Select(g => _table.UpsertRow(Entry(g, "tick"))));
        var hashes = grains.ToDictionary(g => g, g => g.GetUniformHashCode());
        var sorted = hashes.Values.Order().ToList();
        var begin = sorted[20];
        var end = sorted[40];

        var inside = await _table.ReadRows(begin, end);
        var wrapped = await _table.ReadRows(end, begin);
        var everything = await _table.ReadRows(begin, begin);

        Assert.Equal(hashes.Where(h => h.Value > begin && h.Value <= end).Select(h => h.Key).OrderBy(g => g.ToString()),
            inside.Reminders.Select(r => r.GrainId).OrderBy(g => g.ToString()));
        Assert.Equal(hashes.Where(h => h.Value > end || h.Value <= begin).Select(h => h.Key).OrderBy(g => g.ToString()),
            wrapped.Reminders.Select(r => r.GrainId).OrderBy(g => g.ToString()));
        Assert.Equal(60, inside.Reminders.Count + wrapped.Reminders.Count);
        Assert.Equal(60, everything.Reminders.Count);
    }

    [Fact]
    public async Task Parallel_upserts_all_land_each_with_its_own_etag()
    {
        var grain = Grain(Guid.NewGuid().ToString());
        var etags = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => _table.UpsertRow(Entry(grain, "r" + i))));

        Assert.Equal(50, etags.Distinct().Count());
        var rows = await _table.ReadRows(grain);
        Assert.Equal(50, rows.Reminders.Count);
    }

    [Fact]
    public async Task Reminder_names_with_key_characters_are_kept_apart()
    {
        var grain = Grain("a/b#c");
        await _table.UpsertRow(Entry(grain, "x|y", minutes: 1));
        await _table.UpsertRow(Entry(grain, "x/y", minutes: 2));

        Assert.Equal(TimeSpan.FromMinutes(1), (await _table.ReadRow(grain, "x|y"))!.Period);
        Assert.Equal(TimeSpan.FromMinutes(2), (await _table.ReadRow(grain, "x/y"))!.Period);
    }
}
