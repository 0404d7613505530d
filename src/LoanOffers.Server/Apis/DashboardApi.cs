using System.Security.Claims;
using LoanOffers.Server.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Orleans.Dashboard;

namespace LoanOffers.Server.Apis;

/// <summary>
/// The Orleans Dashboard at <c>/dashboard/</c>, for signed-in staff and operators. The dashboard's page calls its own
/// endpoints without a bearer token, so the console exchanges the staff token for a cookie that is valid only under
/// <c>/dashboard</c> (HTTP-only, same-site strict). Grain state inspection is refused: a customer's grain holds
/// personal data, which the dashboard must not show.
/// </summary>
public static class DashboardApi
{
    public const string Path = "/dashboard";
    public const string CookieScheme = "dashboard";

    /// <summary>The dashboard profiles every grain call; <c>Dashboard:Enabled=false</c> leaves it out.</summary>
    public static bool Enabled(IConfiguration configuration) => configuration.GetValue("Dashboard:Enabled", true);

    public static AuthenticationBuilder AddDashboardCookie(this AuthenticationBuilder authentication) =>
        authentication.AddCookie(CookieScheme, cookie =>
        {
            cookie.Cookie.Name = "loanoffers-dashboard";
            cookie.Cookie.Path = Path;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = LocalTokenIssuer.DefaultLifetime;
            cookie.SlidingExpiration = false;
            // An API answers with a status, not a redirect to a sign-in page that does not exist.
            cookie.Events.OnRedirectToLogin = context => Status(context.Response, StatusCodes.Status401Unauthorized);
            cookie.Events.OnRedirectToAccessDenied = context => Status(context.Response, StatusCodes.Status403Forbidden);
        });

    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder app)
    {
        app.MapOrleansDashboard(Path)
            .RequireAuthorization(EnginePolicies.Dashboard)
            .ExcludeFromDescription()
            .AddEndpointFilter((context, next) => context.HttpContext.Request.Path.Value?.EndsWith("/GrainState", StringComparison.OrdinalIgnoreCase) == true
                ? ValueTask.FromResult<object?>(TypedResults.Problem("Grain state holds customers' personal data and is not shown.", statusCode: StatusCodes.Status403Forbidden))
                : next(context));

        app.MapPost("/api/v1/admin/session/dashboard", SignInAsync).WithTags("Console").WithName("SignInToDashboard")
            .RequireAuthorization(EnginePolicies.Monitoring).WithBodyLimit(ApiLimits.NoBody);
        return app;
    }

    /// <summary>Gives the signed-in staff member the dashboard's cookie, with the token's subject and role and no longer than it.</summary>
    public static async Task<NoContent> SignInAsync(HttpContext context, ClaimsPrincipal user)
    {
        var identity = new ClaimsIdentity(
            [new Claim(EngineClaims.Subject, user.FindFirstValue(EngineClaims.Subject) ?? string.Empty), .. user.FindAll(EngineClaims.Role).Select(role => new Claim(EngineClaims.Role, role.Value))],
            CookieScheme, EngineClaims.Subject, EngineClaims.Role);
        var expires = user.FindFirstValue("exp") is { } exp && long.TryParse(exp, out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : (DateTimeOffset?)null;
        await context.SignInAsync(CookieScheme, new ClaimsPrincipal(identity), new AuthenticationProperties { ExpiresUtc = expires, IsPersistent = false });
        return TypedResults.NoContent();
    }

    private static Task Status(HttpResponse response, int status)
    {
        response.StatusCode = status;
        return Task.CompletedTask;
    }
}
