using LoanOffers.Server.Security;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LoanOffers.Testing;
using Xunit.Abstractions;

namespace LoanOffers.Server.Tests;

/// <summary>
/// The hot read under a long load: 1,000 connections for 60 s on customers' offers, against the engine in a process of
/// its own (real Kestrel, real sockets). Every answer is a 200, and the engine's memory ends near where it stood after
/// warming up, so nothing accumulates per request.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class OffersSoakTests(AzuriteFixture azurite, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Connections = 1_000;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Soak = TimeSpan.FromSeconds(60);

    private readonly EngineClusterSettings _cluster = DemoRuns.NewCluster(azurite, "soak");

    private EngineProcess? _engine;

    public async Task InitializeAsync() => _engine = await EngineProcess.StartAsync("soak", _cluster, TimeSpan.FromMinutes(2));

    public async Task DisposeAsync()
    {
        await _engine!.DisposeAsync();
        _cluster.DeleteDirectories();
    }

    [Fact]
    public async Task A_minute_of_1000_connections_on_offer_reads_answers_every_request_and_leaves_memory_flat()
    {
        var customers = await OfferedCustomersAsync();
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = _cluster.Client(_engine!.BaseUrl, EngineRoles.OffersService, TimeSpan.FromSeconds(30), handler);

        var warm = await LoadAsync(http, customers, WarmUp);
        var before = WorkingSetMb();
        var soak = await LoadAsync(http, customers, Soak);
        await Task.Delay(TimeSpan.FromSeconds(5));
        var after = WorkingSetMb();
        output.WriteLine($"warm-up {warm.Ok:N0} ok; soak {soak.Ok:N0} ok ({soak.Ok / Soak.TotalSeconds:N0}/s), {soak.Failed} failed; engine memory {before:N0} MB after warm-up, {after:N0} MB after the soak");

        Assert.Equal(0, warm.Failed + soak.Failed);
        Assert.True(soak.Ok > Connections, $"Only {soak.Ok} requests were answered.");
        Assert.True(after < before * 1.25 + 32, $"The engine grew from {before:N0} MB to {after:N0} MB over the soak.");
    }

    private double WorkingSetMb()
    {
        using var process = Process.GetProcessById(_engine!.ProcessId);
        return process.WorkingSet64 / (1024.0 * 1024.0);
    }

    /// <summary><see cref="Connections"/> loops reading offers for <paramref name="duration"/>; counts 200s and anything else.</summary>
    private static async Task<(long Ok, long Failed)> LoadAsync(HttpClient http, IReadOnlyList<string> customers, TimeSpan duration)
    {
        long ok = 0, failed = 0;
        using var stop = new CancellationTokenSource(duration);
        await Task.WhenAll(Enumerable.Range(0, Connections).Select(async loop =>
        {
            for (var request = loop; !stop.IsCancellationRequested; request += Connections)
            {
                try
                {
                    using var response = await http.GetAsync($"/api/v1/customers/{customers[request % customers.Count]}/offers", HttpCompletionOption.ResponseContentRead);
                    Interlocked.Increment(ref response.StatusCode == HttpStatusCode.OK ? ref ok : ref failed);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }));
        return (ok, failed);
    }

    private async Task<List<string>> OfferedCustomersAsync()
    {
        using var http = _cluster.Client(_engine!.BaseUrl, EngineRoles.LendingAdmin);
        var programId = "soak-" + Guid.NewGuid().ToString("N")[..8];
        var (_, runUrl) = await DemoRuns.StartAsync(http, programId, 2000);
        var deadline = Stopwatch.StartNew();
        while ((await http.GetFromJsonAsync<JsonElement>(runUrl)).GetProperty("state").GetString() == "Running")
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(2), "The soak's batch did not finish.");
            await Task.Delay(200);
        }

        var page = await http.GetFromJsonAsync<JsonElement>($"/api/v1/admin/programs/{programId}/candidates?minAmount=0&limit=500");
        var customers = page.GetProperty("candidates").EnumerateArray().Select(candidate => candidate.GetProperty("customerId").GetString()!).ToList();
        Assert.NotEmpty(customers);
        return customers;
    }
}
