using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using LoanOffers.Abstractions;
using LoanOffers.Domain;
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
public sealed partial class ClusterBatchTests(AzuriteFixture azurite, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Customers = 16_000;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(2);

    private readonly EngineClusterSettings _cluster = new(
        azurite.ConnectionString,
        "cb-" + Guid.NewGuid().ToString("N")[..8],
        AzuriteFixture.UniqueName("cb"),
        Directory.CreateTempSubdirectory("loanoffers-cluster-data").FullName);

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

        Directory.Delete(_cluster.DataDirectory, recursive: true);
    }

    [Fact]
    public async Task A_silo_killed_mid_run_leaves_its_partitions_to_the_survivors_and_every_customer_is_evaluated_once()
    {
        var elapsed = Stopwatch.StartNew();
        _engines.AddRange(await Task.WhenAll(new[] { "silo-1", "silo-2", "silo-3" }.Select(name => EngineProcess.StartAsync(name, _cluster, ReadyTimeout, ("Logging:LogLevel:LoanOffers", "Information")))));
        output.WriteLine($"three engines ready after {elapsed.Elapsed.TotalSeconds:F1} s");
        using var http = new HttpClient { BaseAddress = new Uri(_engines[0].BaseUrl), Timeout = TimeSpan.FromSeconds(30) };

        var programId = "cluster-" + Guid.NewGuid().ToString("N")[..8];
        var yaml = DemoPrograms.LoanOfferTargetingYaml
            .Replace("programId: \"loan-offer-targeting\"", $"programId: \"{programId}\"")
            .Replace("count: 200000", $"count: {Customers}\n      idPrefix: \"{programId}-\"");
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsync($"/api/v1/admin/programs/{programId}", new StringContent(yaml, Encoding.UTF8, "application/yaml"))).StatusCode);
        var start = await http.PostAsync($"/api/v1/admin/programs/{programId}/runs", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var runId = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetString()!;
        var runUrl = start.Headers.Location!.ToString();

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

        Assert.Equal("Completed", done.GetProperty("state").GetString());
        Assert.Equal(0, done.GetProperty("errors").GetInt32());
        Assert.Equal(Customers, done.GetProperty("processed").GetInt32());
        var offered = done.GetProperty("offered").GetInt32();
        Assert.Equal(Customers, offered + done.GetProperty("noOffer").GetInt32() + done.GetProperty("rejectedByFilter").EnumerateObject().Sum(filter => filter.Value.GetInt32()));

        // The killed silo had partitions of its own, and the survivors took them over.
        var handedBack = _engines.Where(engine => engine != victim)
            .SelectMany(engine => engine.Output)
            .Select(line => HandedBack().Match(line))
            .Where(match => match.Success)
            .Sum(match => int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(handedBack > 0, "No partitions of the killed silo were handed to the survivors.");

        var indexed = await IndexedCustomersAsync(http, programId);
        Assert.Equal(offered, indexed.Count);

        // Every offered customer was contacted once by this run: a redone partition returned stored decisions.
        var grains = await ConnectClientAsync();
        var contacts = await Task.WhenAll(indexed.Select(async customerId =>
            (await grains.GetGrain<ICustomerGrain>(customerId).GetContacts()).Count(contact => contact.RunId == runId)));
        Assert.All(contacts, count => Assert.Equal(1, count));
    }

    /// <summary>The program's log line when a silo's share is handed back: it left the cluster, or its worker answered anew.</summary>
    [GeneratedRegex(@"(?:left the cluster|lost its worker); its (\d+) unfinished partitions")]
    private static partial Regex HandedBack();

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

    private static async Task<List<string>> IndexedCustomersAsync(HttpClient http, string programId)
    {
        var customers = new List<string>();
        string? continuation = null;
        do
        {
            var url = $"/api/v1/admin/programs/{programId}/candidates?minAmount=0&limit=1000" + (continuation is null ? string.Empty : "&continuation=" + Uri.EscapeDataString(continuation));
            var page = await http.GetFromJsonAsync<JsonElement>(url);
            customers.AddRange(page.GetProperty("candidates").EnumerateArray().Select(candidate => candidate.GetProperty("customerId").GetString()!));
            continuation = page.TryGetProperty("continuation", out var next) ? next.GetString() : null;
        }
        while (continuation is not null);

        Assert.Equal(customers.Count, customers.Distinct().Count());
        return customers;
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
