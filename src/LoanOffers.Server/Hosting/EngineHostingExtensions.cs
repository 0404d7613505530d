using System.Net;
using LoanOffers.Abstractions;
using LoanOffers.Grains;
using LoanOffers.Server.Apis;
using LoanOffers.Server.Security;
using LoanOffers.Storage.AzureTables;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Timeouts;
using Orleans.Configuration;
using Orleans.Dashboard;

namespace LoanOffers.Server.Hosting;

public static class EngineHostingExtensions
{
    /// <summary>
    /// Bounds admin requests that query tables directly (the candidate index), so an outage answers 503 within
    /// seconds instead of after the storage client's retries; grain calls are bounded by their response timeouts.
    /// </summary>
    public const string StorageTimeoutPolicy = "storage";

    /// <summary>The silo (co-hosted), its Azure Table storage, and the web API's services.</summary>
    public static WebApplicationBuilder AddLoanOfferEngine(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var storage = StorageOptions(configuration, PersonalDataKeys.Create(configuration));

        if (builder.Environment.IsDevelopment() || configuration.GetValue<bool>("Engine:StartAzurite"))
        {
            builder.Services.AddHostedService<AzuriteHostedService>();
        }

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = configuration["Orleans:ClusterId"] ?? "loanoffers";
                options.ServiceId = configuration["Orleans:ServiceId"] ?? "loanoffers";
            });
            // Loopback unless a deployment names the address other silos reach this one at (its pod or host IP).
            var advertised = configuration["Orleans:AdvertisedIPAddress"] is { Length: > 0 } address ? IPAddress.Parse(address) : IPAddress.Loopback;
            silo.ConfigureEndpoints(
                advertised,
                configuration.GetValue("Orleans:SiloPort", 11111),
                configuration.GetValue("Orleans:GatewayPort", 30000),
                listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));
            // How fast a silo that vanished is declared dead (and its grains and partitions move) is an operator's call.
            silo.Configure<ClusterMembershipOptions>(configuration.GetSection("Orleans:Membership"));
            silo.UseAzureStorageClustering(options =>
            {
                options.TableServiceClient = storage.TableServiceClient;
                options.TableName = storage.Table("Silos");
            });
            silo.AddLoanOfferEngine(storage, options => configuration.GetSection("Engine").Bind(options));
            if (DashboardApi.Enabled(configuration))
            {
                // Live log streaming stays off: logs are for operators' own sinks, not a browser. Counters are sampled
                // every 10 s, not every second: each sample counts the grain directory cache, which a batch fills
                // with every customer it visits (measured at 1.4% of a 200K batch's engine CPU when sampled each second).
                silo.AddDashboard(options =>
                {
                    options.HideTrace = true;
                    options.CounterUpdateIntervalMs = 10_000;
                });
            }

            if (TelemetryHostingExtensions.TracesExported(configuration))
            {
                silo.AddActivityPropagation();
            }
        });

        builder.Services.Configure<LoanOffers.Scoring.ScoringOptions>(configuration.GetSection("Scoring"));
        builder.Services.PostConfigure<LoanOffers.Delivery.DeliveryOptions>(delivery =>
        {
            // Beside the local Azurite's data (the repository's azurite/ folder), whatever folder the engine runs from.
            var local = Path.GetDirectoryName(Path.GetFullPath(AzuriteHostedService.DataDirectory(configuration)))!;
            delivery.MailDropDirectory = Path.Combine(local, delivery.MailDropDirectory);
            delivery.SmsDropDirectory = Path.Combine(local, delivery.SmsDropDirectory);
        });
        builder.Services.AddSingleton(storage);
        builder.Services.Configure<ServingOptions>(configuration.GetSection("Engine"));
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = BadRequestExceptionHandler.NameTheField);
        builder.Services.AddExceptionHandler<StorageUnavailableExceptionHandler>();
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        // Binding failures throw in every environment, so BadRequestExceptionHandler names the field the same way in all.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = ApiLimits.MaxBodyBytes);
        builder.Services.AddRequestTimeouts(options => options.AddPolicy(StorageTimeoutPolicy, new RequestTimeoutPolicy
        {
            Timeout = TimeSpan.FromSeconds(10),
            TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
            WriteTimeoutResponse = context => StorageUnavailableExceptionHandler.WriteAsync(
                context.RequestServices.GetRequiredService<IProblemDetailsService>(), context, exception: null).AsTask(),
        }));
        builder.AddEngineSecurity();
        builder.AddEngineTelemetry();
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer<BearerSchemeTransformer>());
        builder.Services.Configure<JsonOptions>(options => ApiJson.Configure(options.SerializerOptions));
        return builder;
    }

    /// <summary>
    /// The engine's tables, from <c>ConnectionStrings:Tables</c> and <c>Engine:TablePrefix</c>, and the keys that
    /// encrypt personal data in them.
    /// </summary>
    public static EngineStorageOptions StorageOptions(IConfiguration configuration, StateEncryption? personalDataEncryption = null) => new()
    {
        ConnectionString = configuration.GetConnectionString("Tables")
            ?? throw new InvalidOperationException("Set ConnectionStrings:Tables (the engine's Azure Table Storage)."),
        TablePrefix = configuration["Engine:TablePrefix"] ?? string.Empty,
        BlobConnectionString = configuration.GetConnectionString("Blobs"),
        PersonalDataEncryption = personalDataEncryption,
    };

    public static WebApplication MapLoanOfferEngine(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
            app.UseHttpsRedirection();
        }

        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseConsoleFiles();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseUtf8Bodies();
        app.UseRequestTimeouts();
        app.MapOpenApi();
        app.MapHealthApi();
        app.MapCustomersApi();
        app.MapOffersApi();
        app.MapAdminApi();
        app.MapSimulationsApi();
        app.MapChallengersApi();
        app.MapModelsApi();
        app.MapAuditApi();
        app.MapEventsApi();
        app.MapApplicationsApi();
        app.MapCustomerRecordsApi();
        app.MapTrackingApi();
        app.MapSuppressionsApi();
        app.MapConsoleApi();
        app.MapReportsApi();
        app.MapMetricsApi();
        if (DashboardApi.Enabled(app.Configuration))
        {
            app.MapDashboardApi();
        }
        return app;
    }
}

public sealed class ServingOptions
{
    /// <summary>The program whose configuration prices real-time offers when a request names none.</summary>
    public string DefaultProgramId { get; set; } = "loan-offer-targeting";
}
