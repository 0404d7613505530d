using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using LoanOffers.Server.Security;
using LoanOffers.Storage.AzureTables;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LoanOffers.Benchmarks;

/// <summary>
/// Warm <c>GET /api/v1/customers/{id}/offers</c> at N connections against the engine, and in the same run against
/// a bare Kestrel endpoint returning the same JSON (no sign-in); load from wrk (Debian package) in its own process on loopback.
/// </summary>
public static partial class ServeBenchmark
{
    public static async Task<int> RunAsync(BenchmarkArguments arguments)
    {
        var connections = arguments.Int("connections", 1000);
        var seconds = arguments.Int("seconds", 20);
        var customers = arguments.Int("customers", 4000);
        if (!File.Exists("/usr/bin/wrk"))
        {
            Console.Error.WriteLine("The serve benchmark drives load with wrk: apt-get install wrk");
            return 2;
        }

        await using var azurite = await AzuriteEmulator.StartAsync();
        var enginePort = AzuriteEmulator.FreeLoopbackPort();
        // Each synthetic customer here reads far more often than a person would; the limiter still runs on every request.
        await using var engine = await EngineHost.StartAsync(azurite.ConnectionString, enginePort,
            ("RateLimits:OfferReads:PerSubject:PermitsPerSecond", "1000000"), ("RateLimits:OfferReads:PerSubject:Burst", "1000000"));
        var run = await EngineHost.RunDemoBatchAsync(engine, customers);
        var index = engine.Services.GetRequiredService<CandidateIndex>();
        var ids = new List<string>();
        foreach (var tier in run.OffersByTier.Keys)
        {
            ids.AddRange((await index.QueryByTierAsync(run.ProgramId, tier, 0, 1000, null, DateTimeOffset.UtcNow)).Candidates.Select(c => c.CustomerId));
        }

        // Each request carries its customer's own token, as a customer's app sends it.
        var issuer = engine.Services.GetRequiredService<LocalTokenIssuer>();
        var requests = ids.Take(1000).Select(id => (Path: $"/api/v1/customers/{id}/offers", Token: issuer.Issue(EngineRoles.Customer, id))).ToList();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{enginePort}") };
        byte[]? payload = null;
        foreach (var (path, token) in requests)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
            using var response = (await http.SendAsync(request)).EnsureSuccessStatusCode();
            payload ??= await response.Content.ReadAsByteArrayAsync();
        }

        if (payload is null)
        {
            Console.Error.WriteLine("The batch offered no customer to read.");
            return 1;
        }

        var barePort = AzuriteEmulator.FreeLoopbackPort();
        await using var bare = await StartBareAsync(barePort, payload);
        var script = Path.Combine(Path.GetTempPath(), $"offers-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(script,
            "paths = {" + string.Join(",", requests.Select(r => $"\"{r.Path}\"")) + "}\n" +
            "tokens = {" + string.Join(",", requests.Select(r => $"\"{r.Token}\"")) + "}\n" +
            "request = function() local i = math.random(#paths); return wrk.format(\"GET\", paths[i], { [\"Authorization\"] = \"Bearer \" .. tokens[i] }) end\n");
        Console.WriteLine($"serve benchmark: {requests.Count} warm customers with their own tokens, {payload.Length} byte responses, {connections} connections, {seconds} s each");

        await WrkAsync(barePort, connections, 3, script);
        var bareResult = await WrkAsync(barePort, connections, seconds, script);
        Console.WriteLine($"bare:   {bareResult}");
        await WrkAsync(enginePort, connections, 3, script);
        var engineResult = await WrkAsync(enginePort, connections, seconds, script);
        Console.WriteLine($"engine: {engineResult}");
        File.Delete(script);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"connections={connections} engine_rps={engineResult.RequestsPerSecond:F0} bare_rps={bareResult.RequestsPerSecond:F0} rps_ratio={engineResult.RequestsPerSecond / bareResult.RequestsPerSecond:F2} engine_p50_ms={engineResult.P50Ms:F2} engine_p99_ms={engineResult.P99Ms:F2} bare_p50_ms={bareResult.P50Ms:F2} bare_p99_ms={bareResult.P99Ms:F2} p99_ratio={engineResult.P99Ms / bareResult.P99Ms:F2} engine_errors={engineResult.Errors} bare_errors={bareResult.Errors}"));
        return 0;
    }

    private static async Task<WebApplication> StartBareAsync(int port, byte[] payload)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.MapGet("/api/v1/customers/{customerId}/offers", (string customerId) => Results.Bytes(payload, "application/json"));
        await app.StartAsync();
        return app;
    }

    private sealed record WrkResult(double RequestsPerSecond, double P50Ms, double P99Ms, long Errors)
    {
        public override string ToString() => $"{RequestsPerSecond:N0} req/s, p50 {P50Ms:F2} ms, p99 {P99Ms:F2} ms, errors {Errors}";
    }

    private static async Task<WrkResult> WrkAsync(int port, int connections, int seconds, string script)
    {
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-t2", $"-c{connections}", $"-d{seconds}s", "--timeout", "10s", "--latency", "-s", script, $"http://127.0.0.1:{port}" })
        {
            start.ArgumentList.Add(argument);
        }

        using var wrk = Process.Start(start)!;
        var output = await wrk.StandardOutput.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        var errors = SocketErrors().Matches(output).Sum(match => long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture))
            + (Non2xx().Match(output) is { Success: true } non2xx ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0);
        return new WrkResult(
            double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture),
            Percentile(output, "50"),
            Percentile(output, "99"),
            errors);
    }

    private static double Percentile(string output, string percentile)
    {
        var match = Regex.Match(output, $@"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"(?:connect|read|write|timeout) (\d+)")]
    private static partial Regex SocketErrors();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xx();
}
