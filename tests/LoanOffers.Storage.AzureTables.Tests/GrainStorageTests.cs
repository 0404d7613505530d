using System.Text;
using Azure.Data.Tables;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace LoanOffers.Storage.AzureTables.Tests;

[GenerateSerializer, Alias("tests.profile-v1")]
public sealed record ProfileV1
{
    [Id(0)] public string Name { get; init; } = string.Empty;

    [Id(1)] public int Score { get; init; }

    [Id(2)] public string Obsolete { get; init; } = string.Empty;
}

/// <summary>The same record after a release that added a field and dropped another.</summary>
[GenerateSerializer, Alias("tests.profile-v2")]
public sealed record ProfileV2
{
    [Id(0)] public string Name { get; init; } = string.Empty;

    [Id(1)] public int Score { get; init; }

    [Id(3)] public decimal Income { get; init; } = 42m;
}

[GenerateSerializer, Alias("tests.blob-state")]
public sealed record BlobState
{
    [Id(0)] public string Payload { get; init; } = string.Empty;
}

[Collection(SiloCollection.Name)]
public sealed class GrainStorageTests(SiloFixture fixture)
{
    private const string StateName = "profile";

    private static GrainId NewGrain() => GrainId.Create("customer", Guid.NewGuid().ToString("N"));

    /// <summary>Stores that delete the row on clear: the project's and Orleans' own, which must behave alike.</summary>
    public static TheoryData<string> DeletingStores => [SiloFixture.DeletingStore, SiloFixture.OfficialStore];

    /// <summary>Stores that keep an empty row on clear: the project's and Orleans' own.</summary>
    public static TheoryData<string> KeepingStores => [SiloFixture.KeepingStore, SiloFixture.OfficialKeepingStore];

    private IGrainStorage Deleting => fixture.Storage(SiloFixture.DeletingStore);

    private IGrainStorage Keeping => fixture.Storage(SiloFixture.KeepingStore);

    private IGrainStorage Compressing => fixture.Storage(SiloFixture.CompressingStore);

    [Theory]
    [MemberData(nameof(DeletingStores))]
    public async Task Write_then_read_round_trips_and_every_write_changes_the_etag(string store)
    {
        var storage = fixture.Storage(store);
        var grain = NewGrain();
        var state = new GrainState<ProfileV1> { State = new ProfileV1 { Name = "Ada", Score = 780 } };

        await storage.WriteStateAsync(StateName, grain, state);
        var firstETag = state.ETag;
        state.State = state.State with { Score = 790 };
        await storage.WriteStateAsync(StateName, grain, state);

        Assert.NotNull(firstETag);
        Assert.NotEqual(firstETag, state.ETag);
        var read = new GrainState<ProfileV1>();
        await storage.ReadStateAsync(StateName, grain, read);
        Assert.True(read.RecordExists);
        Assert.Equal(state.ETag, read.ETag);
        Assert.Equal(new ProfileV1 { Name = "Ada", Score = 790 }, read.State);
    }

    [Theory]
    [MemberData(nameof(DeletingStores))]
    public async Task Reading_a_missing_row_gives_an_empty_state_without_etag(string store)
    {
        var storage = fixture.Storage(store);
        var read = new GrainState<ProfileV1> { State = new ProfileV1 { Name = "stale" } };
        await storage.ReadStateAsync(StateName, NewGrain(), read);

        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.Equal(new ProfileV1(), read.State);
    }

    [Theory]
    [MemberData(nameof(DeletingStores))]
    public async Task A_stale_write_throws_inconsistent_state(string store)
    {
        var storage = fixture.Storage(store);
        var grain = NewGrain();
        var first = new GrainState<ProfileV1> { State = new ProfileV1 { Name = "first" } };
        await storage.WriteStateAsync(StateName, grain, first);
        var stale = new GrainState<ProfileV1> { State = first.State, ETag = first.ETag, RecordExists = true };
        await storage.WriteStateAsync(StateName, grain, first);

        stale.State = new ProfileV1 { Name = "lost update" };
        await Assert.ThrowsAnyAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, stale));

        var read = new GrainState<ProfileV1>();
        await storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal("first", read.State!.Name);
    }

    [Theory]
    [MemberData(nameof(DeletingStores))]
    public async Task A_second_create_of_an_existing_row_throws_inconsistent_state(string store)
    {
        var storage = fixture.Storage(store);
        var grain = NewGrain();
        await storage.WriteStateAsync(StateName, grain, new GrainState<ProfileV1> { State = new ProfileV1 { Name = "one" } });

        var secondCreate = new GrainState<ProfileV1> { State = new ProfileV1 { Name = "two" } };
        await Assert.ThrowsAnyAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, secondCreate));
    }

    [Theory]
    [MemberData(nameof(DeletingStores))]
    public async Task Racing_writers_on_one_grain_let_exactly_one_win(string store)
    {
        var storage = fixture.Storage(store);
        var grain = NewGrain();
        var original = new GrainState<ProfileV1> { State = new ProfileV1 { Name = "base" } };
        await storage.WriteStateAsync(StateName, grain, original);

        var writers = Enumerable.Range(0, 8).Select(async index =>
        {
            var copy = new GrainState<ProfileV1> { State = new ProfileV1 { Name = $"writer {index}" }, ETag = original.ETag, RecordExists = true };
            try
            {
                await storage.WriteStateAsync(StateName, grain, copy);
                return copy.State.Name;
            }
            catch (InconsistentStateException)
            {
                return null;
            }
        });
        var winners = (await Task.WhenAll(writers)).Where(name => name is not null).ToList();

        var read = new GrainState<ProfileV1>();
        await storage.ReadStateAsync(StateName, grain, read);
        Assert.Single(winners);
        Assert.Equal(winners[0], read.State!.Name);
    }

    [Theory]
    [MemberData(nameof(DeletingStores))]
    public async Task Clear_deletes_the_row_when_configured_to(string store)
    {
        var storage = fixture.Storage(store);
        var grain = NewGrain();
        var state = new GrainState<ProfileV1> { State = new ProfileV1 { Name = "gone" } };
        await storage.WriteStateAsync(StateName, grain, state);

        await storage.ClearStateAsync(StateName, grain, state);

        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
        var read = new GrainState<ProfileV1>();
        await storage.ReadStateAsync(StateName, grain, read);
        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);

        // The activation that cleared writes again, as a grain does after ClearStateAsync.
        state.State = new ProfileV1 { Name = "again" };
        await storage.WriteStateAsync(StateName, grain, state);
        await storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal("again", read.State!.Name);
    }

    [Theory]
    [MemberData(nameof(KeepingStores))]
    public async Task Clear_keeps_an_empty_row_with_a_new_etag_when_configured_to(string store)
    {
        var storage = fixture.Storage(store);
        var grain = NewGrain();
        var state = new GrainState<ProfileV1> { State = new ProfileV1 { Name = "kept" } };
        await storage.WriteStateAsync(StateName, grain, state);
        var writtenETag = state.ETag;

        await storage.ClearStateAsync(StateName, grain, state);

        Assert.NotNull(state.ETag);
        Assert.NotEqual(writtenETag, state.ETag);
        Assert.False(state.RecordExists);
        var read = new GrainState<ProfileV1>();
        await storage.ReadStateAsync(StateName, grain, read);
        Assert.False(read.RecordExists);
        Assert.Equal(state.ETag, read.ETag);
        Assert.Equal(new ProfileV1(), read.State);

        read.State = new ProfileV1 { Name = "after clear" };
        await storage.WriteStateAsync(StateName, grain, read);
        var stale = new GrainState<ProfileV1> { State = new ProfileV1 { Name = "stale" }, ETag = writtenETag, RecordExists = true };
        await Assert.ThrowsAnyAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, stale));
    }

    [Theory]
    [MemberData(nameof(DeletingStores))]
    public async Task State_larger_than_one_property_is_split_and_read_back_whole(string store)
    {
        var storage = fixture.Storage(store);
        var grain = NewGrain();
        var payload = RandomText(300_000);
        var state = new GrainState<BlobState> { State = new BlobState { Payload = payload } };

        await storage.WriteStateAsync("blob", grain, state);

        var read = new GrainState<BlobState>();
        await storage.ReadStateAsync("blob", grain, read);
        Assert.Equal(payload, read.State!.Payload);
    }

    [Theory]
    [MemberData(nameof(DeletingStores))]
    public async Task State_names_on_one_grain_are_independent_rows(string store)
    {
        var storage = fixture.Storage(store);
        var grain = NewGrain();
        var profile = new GrainState<ProfileV1> { State = new ProfileV1 { Name = "profile" } };
        var blob = new GrainState<BlobState> { State = new BlobState { Payload = "behaviour" } };
        await storage.WriteStateAsync(StateName, grain, profile);
        await storage.WriteStateAsync("blob", grain, blob);

        await storage.ClearStateAsync(StateName, grain, profile);

        var readProfile = new GrainState<ProfileV1>();
        var readBlob = new GrainState<BlobState>();
        await storage.ReadStateAsync(StateName, grain, readProfile);
        await storage.ReadStateAsync("blob", grain, readBlob);
        Assert.False(readProfile.RecordExists);
        Assert.True(readBlob.RecordExists);
        Assert.Equal("behaviour", readBlob.State!.Payload);
        Assert.Equal(blob.ETag, readBlob.ETag);
    }

    [Theory]
    [MemberData(nameof(DeletingStores))]
    public async Task Grain_ids_in_any_script_keep_their_own_rows(string store)
    {
        var storage = fixture.Storage(store);
        var suffix = Guid.NewGuid().ToString("N")[..6];
        string[] keys = ["Zoë-" + suffix, "Зоя-" + suffix, "佐伊-" + suffix, "زوي-" + suffix, "ζωή-" + suffix, "🙂-" + suffix, "a/b#c?d\\e%f|" + suffix];
        foreach (var key in keys)
        {
            await storage.WriteStateAsync(StateName, GrainId.Create("customer", key), new GrainState<ProfileV1> { State = new ProfileV1 { Name = key } });
        }

        foreach (var key in keys)
        {
            var read = new GrainState<ProfileV1>();
            await storage.ReadStateAsync(StateName, GrainId.Create("customer", key), read);
            Assert.True(read.RecordExists, key);
            Assert.Equal(key, read.State!.Name);
        }
    }

    [Fact]
    public async Task State_over_the_entity_limit_fails_naming_the_grain_and_size_and_writes_nothing()
    {
        var grain = NewGrain();
        var state = new GrainState<BlobState> { State = new BlobState { Payload = RandomText(1_100_000) } };

        var failure = await Assert.ThrowsAsync<GrainStateTooLargeException>(() => Deleting.WriteStateAsync("blob", grain, state));

        Assert.Contains(grain.ToString(), failure.Message);
        Assert.True(failure.SizeBytes > PartitionedTableGrainStorage.MaxStateBytes);
        Assert.Contains(failure.SizeBytes.ToString("N0"), failure.Message);
        var read = new GrainState<BlobState>();
        await Deleting.ReadStateAsync("blob", grain, read);
        Assert.False(read.RecordExists);
    }

    [Theory]
    [InlineData(SiloFixture.DeletingStore)]
    [InlineData(SiloFixture.BinaryStore)]
    public async Task Rows_keep_reading_after_a_record_gains_and_loses_fields(string store)
    {
        var storage = fixture.Storage(store);
        var grain = NewGrain();
        await storage.WriteStateAsync(StateName, grain, new GrainState<ProfileV1> { State = new ProfileV1 { Name = "Grace", Score = 700, Obsolete = "x" } });

        var newer = new GrainState<ProfileV2>();
        await storage.ReadStateAsync(StateName, grain, newer);
        Assert.Equal("Grace", newer.State!.Name);
        Assert.Equal(700, newer.State!.Score);
        Assert.Equal(42m, newer.State!.Income);

        newer.State = newer.State! with { Score = 710, Income = 90_000m };
        await storage.WriteStateAsync(StateName, grain, newer);
        var older = new GrainState<ProfileV1>();
        await storage.ReadStateAsync(StateName, grain, older);
        Assert.Equal(710, older.State!.Score);
        Assert.Equal("Grace", older.State!.Name);
    }

    [Fact]
    public async Task Concurrent_writes_to_one_partition_share_transactions_and_a_conflict_stays_with_its_grain()
    {
        var storage = (PartitionedTableGrainStorage)Deleting;
        var partition = storage.Layout.Bucket(NewGrain());
        var grains = Enumerable.Range(0, 100_000).Select(_ => NewGrain()).Where(g => storage.Layout.Bucket(g) == partition).Take(150).ToList();
        var states = grains.Select(g => new GrainState<ProfileV1> { State = new ProfileV1 { Name = g.ToString() } }).ToList();
        await Task.WhenAll(grains.Select((g, i) => storage.WriteStateAsync(StateName, g, states[i])));

        // One writer holds a stale ETag; the other 149 rows of the same partition are written with it.
        var staleIndex = 77;
        var staleETag = states[staleIndex].ETag;
        await storage.WriteStateAsync(StateName, grains[staleIndex], states[staleIndex]);
        states[staleIndex].ETag = staleETag;
        var writes = grains.Select(async (g, i) =>
        {
            states[i].State = states[i].State! with { Score = i };
            await storage.WriteStateAsync(StateName, g, states[i]);
        }).ToList();

        var failures = new List<int>();
        for (var i = 0; i < writes.Count; i++)
        {
            try
            {
                await writes[i];
            }
            catch (InconsistentStateException)
            {
                failures.Add(i);
            }
        }

        Assert.Equal([staleIndex], failures);
        Assert.Equal(149, states.Count(s => s.ETag is not null && s.ETag != staleETag));
        var check = new GrainState<ProfileV1>();
        await storage.ReadStateAsync(StateName, grains[3], check);
        Assert.Equal(3, check.State!.Score);
    }

    [Fact]
    public async Task Read_ahead_serves_prefetched_rows_once_and_etags_still_guard_them()
    {
        var storage = (PartitionedTableGrainStorage)Deleting;
        var grains = Enumerable.Range(0, 40).Select(_ => NewGrain()).ToList();
        foreach (var grain in grains.Take(30))
        {
            await storage.WriteStateAsync(StateName, grain, new GrainState<ProfileV1> { State = new ProfileV1 { Name = grain.ToString(), Score = 1 } });
        }

        var found = await storage.PrefetchAsync(grains, StateName);
        Assert.Equal(30, found);

        // Change one row behind the cache's back: the prefetched copy is served, but its ETag cannot overwrite the newer row.
        var changed = new GrainState<ProfileV1>();
        await storage.ReadStateAsync(StateName, grains[0], changed);
        Assert.Equal(1, changed.State!.Score);
        var direct = new GrainState<ProfileV1>();
        await storage.ReadStateAsync(StateName, grains[0], direct);
        direct.State = direct.State! with { Score = 2 };
        await storage.WriteStateAsync(StateName, grains[0], direct);
        changed.State = changed.State! with { Score = 3 };
        await Assert.ThrowsAnyAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grains[0], changed));

        var missing = new GrainState<ProfileV1>();
        await storage.ReadStateAsync(StateName, grains[35], missing);
        Assert.False(missing.RecordExists);

        var table = new TableServiceClient(fixture.ConnectionString).GetTableClient(fixture.TablePrefix + "State" + storage.Layout.Locate(grains[5], StateName).TableIndex.ToString("D2"));
        var location = storage.Layout.Locate(grains[5], StateName);
        await table.DeleteEntityAsync(location.PartitionKey, location.RowKey);
        var prefetched = new GrainState<ProfileV1>();
        await storage.ReadStateAsync(StateName, grains[5], prefetched);
        Assert.True(prefetched.RecordExists);
        var again = new GrainState<ProfileV1>();
        await storage.ReadStateAsync(StateName, grains[5], again);
        Assert.False(again.RecordExists);
    }

    [Fact]
    public async Task Compressed_state_is_stored_smaller_and_reads_back_whole()
    {
        var grain = NewGrain();
        var payload = string.Concat(Enumerable.Range(0, 200).Select(i => $"{{\"offer\":{i},\"tier\":\"excellent\",\"roi\":8.75}}"));
        var state = new GrainState<BlobState> { State = new BlobState { Payload = payload } };

        await Compressing.WriteStateAsync("blob", grain, state);

        var row = await StoredRowAsync(grain, "blob");
        Assert.True(row.GetInt32("DataSize") < row.GetInt32("RawSize") / 4, $"stored {row.GetInt32("DataSize")} of {row.GetInt32("RawSize")} bytes");
        var read = new GrainState<BlobState>();
        await Compressing.ReadStateAsync("blob", grain, read);
        Assert.Equal(payload, read.State!.Payload);
        Assert.Equal(state.ETag, read.ETag);
    }

    [Fact]
    public async Task Turning_compression_on_or_off_keeps_every_row_readable()
    {
        var plainRow = NewGrain();
        var compressedRow = NewGrain();
        await Deleting.WriteStateAsync(StateName, plainRow, new GrainState<ProfileV1> { State = new ProfileV1 { Name = "written plain" } });
        await Compressing.WriteStateAsync(StateName, compressedRow, new GrainState<ProfileV1> { State = new ProfileV1 { Name = "written compressed" } });

        var plainReadCompressing = new GrainState<ProfileV1>();
        await Compressing.ReadStateAsync(StateName, plainRow, plainReadCompressing);
        var compressedReadPlain = new GrainState<ProfileV1>();
        await Deleting.ReadStateAsync(StateName, compressedRow, compressedReadPlain);

        Assert.Equal("written plain", plainReadCompressing.State!.Name);
        Assert.Equal("written compressed", compressedReadPlain.State!.Name);
        Assert.Null((await StoredRowAsync(plainRow, StateName)).GetInt32("RawSize"));
    }

    [Fact]
    public async Task A_grain_keeps_its_state_across_deactivation()
    {
        var grain = fixture.Cluster.Client.GetGrain<ICounterGrain>(Guid.NewGuid().ToString("N"));
        await grain.Increment("one");
        await grain.Increment("two");

        await fixture.Cluster.DeactivateAsync(grain);

        var state = await grain.Get();
        Assert.Equal(2, state.Count);
        Assert.Equal("two", state.Note);
    }

    private async Task<TableEntity> StoredRowAsync(GrainId grain, string stateName)
    {
        var storage = (PartitionedTableGrainStorage)Deleting;
        var location = storage.Layout.Locate(grain, stateName);
        var tableName = GrainStateLayout.TableNamesFor(fixture.TablePrefix + SiloFixture.StateTable, storage.Layout.TableCount).ElementAt(location.TableIndex);
        var table = new TableServiceClient(fixture.ConnectionString).GetTableClient(tableName);
        return (await table.GetEntityAsync<TableEntity>(location.PartitionKey, location.RowKey)).Value;
    }

    private static string RandomText(int length)
    {
        var random = new Random(length);
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append((char)random.Next('a', 'z' + 1));
        }

        return builder.ToString();
    }
}
