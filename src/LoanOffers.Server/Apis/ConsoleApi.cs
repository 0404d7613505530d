using System.Security.Claims;
using LoanOffers.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.FileProviders;

namespace LoanOffers.Server.Apis;

/// <summary>Who is signed in to the console and what their role lets them do there.</summary>
public sealed record ConsoleSession(string Subject, string Role, IReadOnlyList<string> Permissions);

/// <summary>
/// The web console: static pages under <c>/console/</c> (no data in them, so served to anyone) over the admin API, which
/// needs a staff token for everything.
/// </summary>
public static class ConsoleApi
{
    public const string Path = "/console";

    /// <summary>What the console may ask whether the caller can do: it shows only the pages and buttons the role allows.</summary>
    private static readonly string[] ConsolePermissions =
    [
        EnginePolicies.ProgramsRead, EnginePolicies.ProgramsWrite, EnginePolicies.ModelsRead, EnginePolicies.ModelsWrite,
        EnginePolicies.AuditRead, EnginePolicies.SuppressionsRead, EnginePolicies.SuppressionsWrite, EnginePolicies.ReportsRead, EnginePolicies.ReportsWrite,
        EnginePolicies.Monitoring,
    ];

    /// <summary>Serves the console's files from the folder built beside the engine, whatever folder the engine runs from.</summary>
    public static IApplicationBuilder UseConsoleFiles(this IApplicationBuilder app)
    {
        var files = new PhysicalFileProvider(System.IO.Path.Combine(AppContext.BaseDirectory, "wwwroot", "console"));
        // The site's root and the bare console path lead to the console's page; its files resolve against "/console/".
        app.Use((context, next) =>
        {
            if (HttpMethods.IsGet(context.Request.Method) && context.Request.Path.Value is "/" or Path)
            {
                context.Response.Redirect(Path + "/");
                return Task.CompletedTask;
            }

            return next(context);
        });
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = Path });
        return app.UseStaticFiles(new StaticFileOptions { FileProvider = files, RequestPath = Path });
    }

    public static IEndpointRouteBuilder MapConsoleApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/admin/session").WithTags("Console").RequireAuthorization(EnginePolicies.ConsoleAccess)
            .WithBodyLimit(ApiLimits.NoBody)
            .MapGet("/", GetSessionAsync).WithName("GetConsoleSession");
        return app;
    }

    /// <summary>The signed-in staff member, their role, and which of the console's actions the role allows.</summary>
    public static async Task<Ok<ConsoleSession>> GetSessionAsync(ClaimsPrincipal user, IAuthorizationService authorization)
    {
        var permissions = new List<string>();
        foreach (var policy in ConsolePermissions)
        {
            if ((await authorization.AuthorizeAsync(user, policy)).Succeeded)
            {
                permissions.Add(policy);
            }
        }

        return TypedResults.Ok(new ConsoleSession(user.FindFirstValue(EngineClaims.Subject) ?? string.Empty, user.FindFirstValue(EngineClaims.Role) ?? string.Empty, permissions));
    }
}
