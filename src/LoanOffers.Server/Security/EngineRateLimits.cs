using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace LoanOffers.Server.Security;

/// <summary>
/// Per token subject and per client address budgets (<see cref="RateLimitsOptions"/>) with ASP.NET Core's limiter:
/// the endpoint policy counts per subject, the global limiter per address, both by the kind of request the endpoint
/// serves. Over a budget the request answers 429 with Retry-After as ProblemDetails.
/// </summary>
public static class EngineRateLimits
{
    public const string OfferReads = "offer-reads";
    public const string AdminWrites = "admin-writes";

    /// <summary>The links in customers' messages: no sign-in, so counted per client address only.</summary>
    public const string TrackingLinks = "tracking-links";

    public static IServiceCollection AddEngineRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitsOptions>().Bind(configuration.GetSection(RateLimitsOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitsOptions>, RateLimitsOptionsValidator>();
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitsOptions>>((limiter, limits) =>
        {
            var budgets = limits.Value;
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = WriteRejectionAsync;
            limiter.AddPolicy(OfferReads, context => BySubject(context, OfferReads, budgets.OfferReads));
            limiter.AddPolicy(AdminWrites, context => BySubject(context, AdminWrites, budgets.AdminWrites));
            limiter.AddPolicy(TrackingLinks, context => Bucket((TrackingLinks, Address(context)), budgets.OfferReads.PerAddress));
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, (string Kind, string Caller)>(context =>
                context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName switch
                {
                    OfferReads => Bucket((OfferReads, Address(context)), budgets.OfferReads.PerAddress),
                    AdminWrites => Bucket((AdminWrites, Address(context)), budgets.AdminWrites.PerAddress),
                    _ => RateLimitPartition.GetNoLimiter((string.Empty, string.Empty)),
                });
        });
        services.AddRateLimiter(_ => { });
        return services;
    }

    private static RateLimitPartition<(string Kind, string Caller)> BySubject(HttpContext context, string kind, RequestBudget budget) =>
        context.User.IsInRole(EngineRoles.OffersService)
            ? RateLimitPartition.GetNoLimiter((string.Empty, string.Empty))
            : Bucket((kind, EngineClaims.SubjectOf(context.User)), budget.PerSubject);

    private static RateLimitPartition<(string Kind, string Caller)> Bucket((string Kind, string Caller) key, TokenBudget budget) =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = budget.Burst,
            TokensPerPeriod = budget.PermitsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    private static string Address(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static async ValueTask WriteRejectionAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 1;
        var context = rejected.HttpContext;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = $"This caller has used its request budget; retry after {seconds} second(s).",
            },
        });
    }
}
