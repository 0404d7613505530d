using System.Globalization;
using LoanOffers.Abstractions;
using LoanOffers.Domain;
using LoanOffers.Server.Hosting;
using LoanOffers.Storage.AzureTables;
using LoanOffers.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans;

namespace LoanOffers.Benchmarks;

/// <summary>The real engine (silo + API) in this process, configured the way the server is.</summary>
internal static class EngineHost
{
    public static Task<WebApplication> StartAsync(string connection, int httpPort, params (string Key, string Value)[] settings) =>
        StartAsync(NewCluster(connection), httpPort, settings);

    /// <summary>Settings for a cluster of its own (cluster id, tables) on <paramref name="connection"/>.</summary>
    public static EngineClusterSettings NewCluster(string connection) => new(
        connection,
        "bench-" + Guid.NewGuid().ToString("N")[..8],
        "b" + Guid.NewGuid().ToString("N")[..8],
        Path.Combine(AppContext.BaseDirectory, "data"));

    /// <summary>An engine in this process joining <paramref name="cluster"/>, which other engine processes may join too.</summary>
    public static async Task<WebApplication> StartAsync(EngineClusterSettings cluster, int httpPort, params (string Key, string Value)[] settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = AppContext.BaseDirectory });
        foreach (var (key, value) in cluster.Settings(httpPort, AzuriteEmulator.FreeLoopbackPort()).Where(setting => setting.Key != "urls").Concat(settings))
        {
            builder.Configuration[key] = value;
        }

        builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls($"http://127.0.0.1:{httpPort}");
        builder.AddLoanOfferEngine();
        var app = builder.Build();
        app.MapLoanOfferEngine();
        await app.StartAsync();
        return app;
    }

    /// <summary>
    /// Runs seed 000's program over <paramref name="customers"/> synthetic customers to the end; with
    /// <paramref name="extraFeatures"/> &gt; 0 each customer also carries that many columns of the bank's own.
    /// </summary>
    public static async Task<RunStatus> RunDemoBatchAsync(
        WebApplication app, int customers, Action<RunStatus>? progress = null, Func<ProgramConfig, ProgramConfig>? shape = null, int extraFeatures = 0)
    {
        var grains = app.Services.GetRequiredService<IGrainFactory>();
        var seed = ProgramConfigParser.ParseYaml(DemoPrograms.LoanOfferTargetingYaml).Config!;
        var config = (shape?.Invoke(seed) ?? seed) with
        {
            DataConnectors = [new DataConnectorConfig("synthetic", DataConnectorTypes.Synthetic, new Dictionary<string, string>
            {
                ["count"] = customers.ToString(CultureInfo.InvariantCulture),
                ["seed"] = "42",
                ["extraFeatures"] = string.Join(',', Enumerable.Range(1, extraFeatures).Select(column => $"bank_column_{column}")),
            })],
        };
        var program = grains.GetGrain<IProgramGrain>(config.ProgramId);
        await program.Configure(config);
        var run = (await program.StartRun()).Run;
        while (run.State == RunState.Running)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            run = await program.GetRun(run.RunId) ?? run;
            progress?.Invoke(run);
        }

        return run;
    }
}
