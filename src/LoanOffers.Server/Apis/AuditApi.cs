using LoanOffers.Server.Security;
using LoanOffers.Storage.AzureTables;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoanOffers.Server.Apis;

/// <summary>The audit trail, for risk analysts and the lending team: read only; nothing can change or remove an entry.</summary>
public static class AuditApi
{
    private const int MaxContinuationLength = 1024;

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var audit = app.MapGroup("/api/v1/admin/audit").WithTags("Audit").RequireAuthorization(EnginePolicies.AuditRead)
            .WithBodyLimit(ApiLimits.NoBody);
        audit.MapGet("/", GetAuditAsync).WithName("GetAudit");
        return app;
    }

    /// <summary>Entries newest first; <c>actor</c> is the token subject, <c>action</c> e.g. <c>program.configure</c>.</summary>
    public static async Task<Results<Ok<AuditPage>, ValidationProblem>> GetAuditAsync(
        DateTimeOffset? from, DateTimeOffset? to, string? actor, string? action, int? limit, string? continuation, AuditTrail audit, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (from > to)
        {
            errors["from"] = ["from must not be after to."];
        }

        if (limit is < 1 or > 1000)
        {
            errors["limit"] = ["limit must be between 1 and 1000."];
        }

        if (actor is { Length: > 256 })
        {
            errors["actor"] = ["actor is at most 256 characters."];
        }

        if (action is not null && !ApiValidation.IsValidId(action))
        {
            errors["action"] = [$"action is {ApiValidation.IdRule}."];
        }

        if (continuation is { Length: > MaxContinuationLength })
        {
            errors["continuation"] = ["continuation is not a token this API issued."];
        }

        if (errors.Count > 0)
        {
            return ApiValidation.Invalid(errors);
        }

        return TypedResults.Ok(await audit.QueryAsync(new AuditQuery(from, to, actor, action, limit ?? 100, continuation), cancellationToken));
    }
}
