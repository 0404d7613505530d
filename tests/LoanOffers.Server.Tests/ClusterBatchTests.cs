using LoanOffers.Server.Security;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using LoanOffers.Abstractions;
using LoanOffers.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Xunit.Abstractions;

namespace LoanOffers.Server.Tests;

/// <summary>
/// Three engine processes on one Azurite run a batch together; one is killed outright (SIGKILL) in the middle. The
/// survivors finish its partitions: every customer is evaluated exactly once, no offer is made twice, and the
/// candidate index holds each offered customer once.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ClusterBatchTests(AzuriteFixture azurite, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Customers = 16_000;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(2);

    private readonly EngineClusterSettings _cluster = DemoRuns.NewCluster(azurite, "cluster");

    private readonly List<EngineProcess> _engines = [];
    private readonly List<IHost> _clients = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.StopAsync(TimeSpan.FromSeconds(5));
            client.Dispose();
        }

        foreach (var engine in _engines)
        {
            await engine.DisposeAsync();
            foreach (var line in engine.Output.Where(line => !line.Contains("] info:", StringComparison.Ordinal)))
            {
                output.WriteLine(line);
            }
        }

        _cluster.DeleteDirectories();
    }

    [Fact]
    public async Task A_silo_killed_mid_run_leaves_its_partitions_to_the_survivors_and_every_customer_is_evaluated_once()
    {
        var elapsed = Stopwatch.StartNew();
        _engines.AddRange(await Task.WhenAll(new[] { "silo-1", "silo-2", "silo-3" }.Select(name => EngineProcess.StartAsync(name, _cluster, ReadyTimeout, ("Logging:LogLevel:LoanOffers", "Information")))));
        output.WriteLine($"three engines ready after {elapsed.Elapsed.TotalSeconds:F1} s");
        using var http = _cluster.Client(_engines[0].BaseUrl, EngineRoles.LendingAdmin, TimeSpan.FromSeconds(30));

        var programId = "cluster-" + Guid.NewGuid().ToString("N")[..8];
        var (runId, runUrl) = await DemoRuns.StartAsync(http, programId, Customers);

        // Kill a silo that works on the run but neither hosts the program grain nor answers this test's requests.
        var programHost = await EventuallyAsync(
            () => Task.FromResult(_engines.FirstOrDefault(engine => engine.Output.Any(line => line.Contains($"run {runId}: ingested", StringComparison.Ordinal)))),
            host => host is not null,
            TimeSpan.FromMinutes(1));
        var victim = _engines.Skip(1).First(engine => engine != programHost);
        var before = await EventuallyAsync(() => TryGetRunAsync(http, runUrl), run => run?.GetProperty("processed").GetInt32() >= Customers * 3 / 10, TimeSpan.FromMinutes(3));
        victim.Kill();
        output.WriteLine($"killed {victim.Name} at {before!.Value.GetProperty("processed").GetInt32()} of {Customers} processed, after {elapsed.Elapsed.TotalSeconds:F1} s (program on {programHost!.Name})");

        var done = (await EventuallyAsync(() => TryGetRunAsync(http, runUrl), run => run?.GetProperty("state").GetString() != "Running", TimeSpan.FromMinutes(5)))!.Value;
        output.WriteLine($"run ended after {elapsed.Elapsed.TotalSeconds:F1} s: {done}");

        DemoRuns.AssertEveryCustomerCountedOnce(done, Customers);

        // The killed silo had a share of the run, and the run went on without it: its unreported partitions were handed
        // to the survivors, or the run paused on the lost calls and carried on from its checkpoint with fresh shares.
        var victimAddress = $"S127.0.0.1:{victim.SiloPort}:";
        var programLog = _engines.Where(engine => engine != victim).SelectMany(engine => engine.Output).ToList();
        Assert.Contains(programLog, line => line.Contains($"a partition worker on {victimAddress}", StringComparison.Ordinal));
        Assert.Contains(programLog, line =>
            (line.Contains($"silo {victimAddress}", StringComparison.Ordinal) && line.Contains("unfinished partitions go to the others", StringComparison.Ordinal))
            || line.Contains("carries on from its checkpoint", StringComparison.Ordinal)
            || line.Contains("resuming after", StringComparison.Ordinal) && !line.Contains("resuming after 0", StringComparison.Ordinal));

        var indexed = await DemoRuns.IndexedCustomersAsync(http, programId);
        Assert.Equal(done.GetProperty("offered").GetInt32(), indexed.Count);

        // Every offered customer was contacted once by this run: a redone partition returned stored decisions.
        // Bounded: each read activates a customer from storage, and hundreds at once on two shared cores outrun the
        // calls' 5-second answer time.
        var grains = await ConnectClientAsync();
        var contacts = new System.Collections.Concurrent.ConcurrentBag<(string Customer, List<ContactRecord> Contacts)>();
        await Parallel.ForEachAsync(indexed, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (customerId, _) =>
            contacts.Add((customerId, (await grains.GetGrain<ICustomerGrain>(customerId).GetContacts()).Where(contact => contact.RunId == runId).ToList())));
        foreach (var (customer, made) in contacts.Where(entry => entry.Contacts.Count != 1))
        {
            output.WriteLine($"{customer}: {made.Count} contacts in this run: {string.Join("; ", made)}");
        }

        Assert.All(contacts, entry => Assert.Single(entry.Contacts));
    }

    private static async Task<JsonElement?> TryGetRunAsync(HttpClient http, string runUrl)
    {
        try
        {
            var response = await http.GetAsync(runUrl);
            return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : null;
        }
        catch (Exception failure) when (failure is HttpRequestException or TaskCanceledException)
        {
            // The program grain may be moving off the killed silo.
            return null;
        }
    }

    private async Task<IClusterClient> ConnectClientAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client => client
            .Configure<ClusterOptions>(options =>
            {
                options.ClusterId = _cluster.ClusterId;
                options.ServiceId = _cluster.ClusterId;
            })
            .UseAzureStorageClustering(options =>
            {
                options.TableServiceClient = new TableServiceClient(_cluster.ConnectionString);
                options.TableName = _cluster.TablePrefix + "Silos";
            }));
        var host = builder.Build();
        await host.StartAsync();
        _clients.Add(host);
        return host.Services.GetRequiredService<IClusterClient>();
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"Not there after {timeout}: {value}");
            }

            await Task.Delay(250);
        }
    }
}
