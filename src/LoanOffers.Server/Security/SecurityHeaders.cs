namespace LoanOffers.Server.Security;

/// <summary>
/// Headers every answer carries: no sniffing, no framing, no referrer, nothing loaded from anywhere (the console: only from this host), and no caching of
/// answers that may hold a customer's offers.
/// </summary>
public static class SecurityHeaders
{
    private const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'";

    /// <summary>The console's pages load their own scripts, styles and the API, from this host only.</summary>
    private const string ConsolePolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    /// <summary>The Orleans Dashboard's page styles itself inline and loads its fonts and images from this host.</summary>
    private const string DashboardPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(Apis.ConsoleApi.Path) ? ConsolePolicy
            : context.Request.Path.StartsWithSegments(Apis.DashboardApi.Path) ? DashboardPolicy
            : ApiPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
        headers.CacheControl = "no-store";
        return next(context);
    });
}
