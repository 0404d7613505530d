using LoanOffers.Abstractions;
using LoanOffers.Scoring;
using LoanOffers.Server.Security;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace LoanOffers.Server.Hosting;

/// <summary>
/// OpenTelemetry: ASP.NET Core, HttpClient, Orleans and the engine's own meters, scraped by Prometheus at
/// <c>/metrics</c> (staff or operations token) and exported by OTLP when a collector is named.
/// </summary>
public static class TelemetryHostingExtensions
{
    public const string MetricsPath = "/metrics";

    /// <summary>The standard OpenTelemetry variable operators set to name their collector.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    private const string OrleansMeter = "Microsoft.Orleans";

    private static readonly string[] AspNetCoreMeters = ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel"];

    private static readonly string[] OrleansActivitySources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    /// <summary>Whether traces are collected: only when there is a collector to send them to, so they cost nothing otherwise.</summary>
    public static bool TracesExported(IConfiguration configuration) => configuration[OtlpEndpointVariable] is { Length: > 0 };

    public static WebApplicationBuilder AddEngineTelemetry(this WebApplicationBuilder builder)
    {
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("loanoffers", serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId))
            .WithMetrics(metrics => metrics
                // Requests (duration, active) and connections: the HTTP figures operators watch. The per-request
                // routing, rate-limiting and authentication meters are left out; measured, they cost the offer reads.
                .AddMeter(AspNetCoreMeters)
                .AddHttpClientInstrumentation()
                .AddMeter(EngineMeters.MeterName, ScoringMeters.MeterName, OrleansMeter)
                .AddPrometheusExporter());
        if (TracesExported(builder.Configuration))
        {
            telemetry
                .WithTracing(tracing => tracing
                    .AddAspNetCoreInstrumentation(options => options.Filter = context => !context.Request.Path.StartsWithSegments(MetricsPath))
                    .AddHttpClientInstrumentation()
                    .AddSource(OrleansActivitySources))
                .UseOtlpExporter();
        }

        return builder;
    }

    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(EnginePolicies.Monitoring).WithName("Metrics");
        return app;
    }
}
