using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using LoanOffers.Server.Commands;
using LoanOffers.Server.Security;
using LoanOffers.Storage.AzureTables;
using LoanOffers.Testing;
using Microsoft.Extensions.Configuration;

namespace LoanOffers.Server.Tests;

/// <summary>rotate-keys moves every customer row to a new key, and an engine restarted on that key serves them.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class KeyRotationTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string NewKeyId = "k2";
    private static readonly string NewKey = Convert.ToBase64String(Enumerable.Range(7, 32).Select(i => (byte)i).ToArray());
    private readonly EngineClusterSettings _cluster = DemoRuns.NewCluster(azurite, "rotate");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _cluster.DeleteDirectories();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Rows_written_under_the_local_key_are_re_encrypted_under_a_new_one_and_still_served()
    {
        var programId = "rotate-" + Guid.NewGuid().ToString("N")[..8];
        string customerId;
        await using (var before = await EngineProcess.StartAsync("before", _cluster, TimeSpan.FromMinutes(2)))
        {
            using var admin = _cluster.Client(before.BaseUrl, EngineRoles.LendingAdmin);
            customerId = (await DemoRuns.RunToEndAsync(admin, programId, 100))[0];
        }

        var keyIdsBefore = await KeyIdsAsync();
        var output = new StringWriter();
        var exit = await RotateKeysCommand.RunAsync(Configuration(), output);

        Assert.Equal(0, exit);
        Assert.Equal([LocalKeyRing.PersonalDataKeyId], keyIdsBefore.Distinct());
        Assert.Equal([NewKeyId], (await KeyIdsAsync()).Distinct());
        Assert.Contains($"{keyIdsBefore.Count:N0} re-encrypted", output.ToString());

        await using var after = await EngineProcess.StartAsync("after", _cluster, TimeSpan.FromMinutes(2),
            ("Encryption:ActiveKeyId", NewKeyId), ($"Encryption:Keys:{NewKeyId}", NewKey));
        using var bank = _cluster.Client(after.BaseUrl, EngineRoles.OffersService);
        var offers = await bank.GetAsync($"/api/v1/customers/{customerId}/offers");
        Assert.Equal(HttpStatusCode.OK, offers.StatusCode);
        Assert.NotEmpty((await offers.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("offers").EnumerateArray());
    }

    private IConfiguration Configuration() => new ConfigurationBuilder().AddInMemoryCollection(
        _cluster.Settings(0, 0).Where(setting => setting.Key != "urls").Select(setting => KeyValuePair.Create(setting.Key, (string?)setting.Value))
            .Append(KeyValuePair.Create("Encryption:ActiveKeyId", (string?)NewKeyId))
            .Append(KeyValuePair.Create($"Encryption:Keys:{NewKeyId}", (string?)NewKey)))
        .Build();

    /// <summary>The key id of every stored customer row.</summary>
    private async Task<List<string?>> KeyIdsAsync()
    {
        var keyIds = new List<string?>();
        foreach (var table in GrainStateLayout.TableNamesFor(_cluster.TablePrefix + Orleans.Hosting.EngineStorageOptions.CustomerTableName, Orleans.Hosting.EngineStorageOptions.CustomerTableCount))
        {
            await foreach (var row in azurite.Service.GetTableClient(table).QueryAsync<TableEntity>(select: [StateRows.KeyIdProperty, StateRows.SizeProperty]))
            {
                keyIds.Add(row.GetString(StateRows.KeyIdProperty));
            }
        }

        return keyIds;
    }
}
