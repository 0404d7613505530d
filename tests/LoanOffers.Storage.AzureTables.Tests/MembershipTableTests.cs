using LoanOffers.Testing;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;

namespace LoanOffers.Storage.AzureTables.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class MembershipTableTests(AzuriteFixture azurite)
{
    private readonly string _tableName = AzuriteFixture.UniqueName("members");
    private readonly string _clusterId = "cluster-" + Guid.NewGuid().ToString("N")[..6];

    private AzureTableMembershipTable CreateTable() => new(
        Options.Create(new AzureTableClusteringOptions { ConnectionString = azurite.ConnectionString, TableName = _tableName }),
        Options.Create(new ClusterOptions { ClusterId = _clusterId, ServiceId = "svc" }),
        NullLogger<AzureTableMembershipTable>.Instance);

    private static MembershipEntry Silo(int port, SiloStatus status = SiloStatus.Joining, int proxyPort = 0) => new()
    {
        SiloAddress = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), 1),
        Status = status,
        ProxyPort = proxyPort,
        HostName = "host",
        SiloName = "silo" + port,
        RoleName = "role",
        StartTime = new DateTime(2026, 11, 23, 1, 0, 0, DateTimeKind.Utc),
        IAmAliveTime = new DateTime(2026, 11, 23, 1, 0, 0, DateTimeKind.Utc),
        SuspectTimes = [],
    };

    [Fact]
    public async Task Insert_and_update_bump_the_table_version_and_a_lost_version_race_returns_false()
    {
        var table = CreateTable();
        await table.InitializeMembershipTable(true);
        await table.InitializeMembershipTable(true);

        var empty = await table.ReadAll();
        Assert.Equal(0, empty.Version.Version);
        Assert.Empty(empty.Members);

        var silo = Silo(11111);
        Assert.True(await table.InsertRow(silo, empty.Version.Next()));
        Assert.False(await table.InsertRow(Silo(22222), empty.Version.Next()));
        Assert.False(await table.InsertRow(silo, (await table.ReadAll()).Version.Next()));

        var afterInsert = await table.ReadAll();
        Assert.Equal(1, afterInsert.Version.Version);
        var (stored, etag) = afterInsert.Members.Single();
        Assert.Equal(silo.SiloAddress, stored.SiloAddress);
        Assert.Equal("silo11111", stored.SiloName);

        stored.Status = SiloStatus.Active;
        stored.AddOrUpdateSuspector(Silo(33333).SiloAddress, new DateTime(2026, 11, 23, 1, 5, 0, DateTimeKind.Utc), 10);
        Assert.True(await table.UpdateRow(stored, etag, afterInsert.Version.Next()));
        Assert.False(await table.UpdateRow(stored, etag, afterInsert.Version.Next()));

        var row = await table.ReadRow(silo.SiloAddress);
        Assert.Equal(2, row.Version.Version);
        var (updated, _) = row.Members.Single();
        Assert.Equal(SiloStatus.Active, updated.Status);
        Assert.Equal(Silo(33333).SiloAddress, updated.SuspectTimes!.Single().Item1);
    }

    [Fact]
    public async Task Racing_inserts_at_one_version_let_exactly_one_win()
    {
        var table = CreateTable();
        await table.InitializeMembershipTable(true);
        var version = (await table.ReadAll()).Version.Next();

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => table.InsertRow(Silo(30000 + i), version)));

        Assert.Single(results, won => won);
        Assert.Single((await table.ReadAll()).Members);
    }

    [Fact]
    public async Task IAmAlive_updates_only_the_alive_time()
    {
        var table = CreateTable();
        await table.InitializeMembershipTable(true);
        var silo = Silo(12000, SiloStatus.Active);
        await table.InsertRow(silo, (await table.ReadAll()).Version.Next());

        silo.IAmAliveTime = new DateTime(2026, 11, 23, 3, 0, 0, DateTimeKind.Utc);
        silo.Status = SiloStatus.Dead;
        await table.UpdateIAmAlive(silo);

        var (stored, _) = (await table.ReadAll()).Members.Single();
        Assert.Equal(silo.IAmAliveTime, stored.IAmAliveTime);
        Assert.Equal(SiloStatus.Active, stored.Status);
    }

    [Fact]
    public async Task Cleanup_removes_dead_silos_older_than_the_date_and_delete_removes_the_cluster()
    {
        var table = CreateTable();
        await table.InitializeMembershipTable(true);
        await table.InsertRow(Silo(13000, SiloStatus.Dead), (await table.ReadAll()).Version.Next());
        await table.InsertRow(Silo(13001, SiloStatus.Active), (await table.ReadAll()).Version.Next());
        var recentDead = Silo(13002, SiloStatus.Dead);
        recentDead.IAmAliveTime = new DateTime(2026, 11, 23, 5, 0, 0, DateTimeKind.Utc);
        await table.InsertRow(recentDead, (await table.ReadAll()).Version.Next());

        await table.CleanupDefunctSiloEntries(new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero));

        Assert.Equal([13001, 13002], (await table.ReadAll()).Members.Select(m => m.Item1.SiloAddress.Endpoint.Port).Order());
        await table.DeleteMembershipTableEntries(_clusterId);
        var after = await table.ReadAll();
        Assert.Empty(after.Members);
    }

    [Fact]
    public async Task The_gateway_list_names_the_active_silos_proxy_ports()
    {
        var table = CreateTable();
        await table.InitializeMembershipTable(true);
        await table.InsertRow(Silo(14000, SiloStatus.Active, proxyPort: 24000), (await table.ReadAll()).Version.Next());
        await table.InsertRow(Silo(14001, SiloStatus.Dead, proxyPort: 24001), (await table.ReadAll()).Version.Next());
        await table.InsertRow(Silo(14002, SiloStatus.Active), (await table.ReadAll()).Version.Next());
        var gateways = new AzureTableGatewayListProvider(
            Options.Create(new AzureTableClusteringOptions { ConnectionString = azurite.ConnectionString, TableName = _tableName }),
            Options.Create(new ClusterOptions { ClusterId = _clusterId, ServiceId = "svc" }),
            Options.Create(new GatewayOptions()));
        await gateways.InitializeGatewayListProvider();

        var uris = await gateways.GetGateways();

        Assert.Equal(24000, Assert.Single(uris).Port);
    }
}
