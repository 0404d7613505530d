using Azure.Data.Tables;
using LoanOffers.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;

namespace LoanOffers.Storage.AzureTables.Tests;

[Collection(SiloCollection.Name)]
public sealed class LayoutMoveTests(SiloFixture fixture)
{
    private const string StateName = "profile";

    private PartitionedTableGrainStorage Store(string tableName, int tables, int partitions, GrainStateTables? previous = null) => new(
        "move-test",
        new PartitionedTableGrainStorageOptions
        {
            ConnectionString = fixture.ConnectionString,
            TableName = tableName,
            TableCount = tables,
            PartitionsPerTable = partitions,
            PreviousLayout = previous,
            Encryption = new StateEncryption(new Dictionary<string, byte[]> { [SiloFixture.FirstKeyId] = SiloFixture.FirstKey }, SiloFixture.FirstKeyId),
        },
        Options.Create(new ClusterOptions { ClusterId = "move", ServiceId = "move" }),
        fixture.SiloServices.GetRequiredService<IActivatorProvider>(),
        NullLogger<PartitionedTableGrainStorage>.Instance);

    [Fact]
    public async Task Rows_of_the_previous_layout_move_to_the_new_one_without_overwriting_newer_rows_and_its_tables_are_dropped()
    {
        var (before, after) = (AzuriteFixture.UniqueName("old"), AzuriteFixture.UniqueName("new"));
        var old = Store(before, tables: 4, partitions: 4);
        await old.CreateTablesAsync(CancellationToken.None);
        var grains = Enumerable.Range(0, 150).Select(i => GrainId.Create("customer", $"C{i:D4}/ü{i}")).ToList();
        foreach (var (grain, i) in grains.Select((grain, i) => (grain, i)))
        {
            await old.WriteStateAsync(StateName, grain, new GrainState<ProfileV1> { State = new ProfileV1 { Name = $"customer {i}", Score = 600 + i } });
        }

        // A grain written under the new layout before the move (by a silo that had moved already) keeps its newer state.
        var untouched = Store(after, tables: 8, partitions: 2);
        await untouched.CreateTablesAsync(CancellationToken.None);
        await untouched.WriteStateAsync(StateName, grains[0], new GrainState<ProfileV1> { State = new ProfileV1 { Name = "newer", Score = 1 } });

        var moved = Store(after, tables: 8, partitions: 2, previous: new GrainStateTables(before, 4, 4));
        await moved.CreateTablesAsync(CancellationToken.None);

        foreach (var (grain, i) in grains.Select((grain, i) => (grain, i)).Skip(1))
        {
            var read = new GrainState<ProfileV1>();
            await moved.ReadStateAsync(StateName, grain, read);
            Assert.True(read.RecordExists);
            Assert.Equal(new ProfileV1 { Name = $"customer {i}", Score = 600 + i }, read.State);
            await moved.WriteStateAsync(StateName, grain, new GrainState<ProfileV1> { State = read.State! with { Score = 0 }, ETag = read.ETag });
        }

        var first = new GrainState<ProfileV1>();
        await moved.ReadStateAsync(StateName, grains[0], first);
        Assert.Equal(new ProfileV1 { Name = "newer", Score = 1 }, first.State);

        var left = new List<string>();
        await foreach (var table in new TableServiceClient(fixture.ConnectionString).QueryAsync())
        {
            if (table.Name.StartsWith(before, StringComparison.OrdinalIgnoreCase))
            {
                left.Add(table.Name);
            }
        }

        Assert.Empty(left);
    }
}
