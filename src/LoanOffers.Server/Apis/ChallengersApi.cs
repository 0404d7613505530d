using LoanOffers.Abstractions;
using LoanOffers.Domain;
using LoanOffers.Grains;
using LoanOffers.Scoring;
using LoanOffers.Server.Hosting;
using LoanOffers.Server.Security;
using LoanOffers.Storage.AzureTables;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoanOffers.Server.Apis;

/// <summary>Model-ops' one call after watching a challenger: it becomes its program's champion, as a new program version.</summary>
public static class ChallengersApi
{
    public static IEndpointRouteBuilder MapChallengersApi(this IEndpointRouteBuilder app)
    {
        var challengers = app.MapGroup("/api/v1/admin/programs/{programId}/challengers").WithTags("Models").RequireAuthorization(EnginePolicies.ModelsWrite);
        challengers.WithRequestTimeout(EngineHostingExtensions.StorageTimeoutPolicy).WithBodyLimit(ApiLimits.NoBody);
        challengers.MapPost("/{role}:promote", PromoteAsync).WithName("PromoteChallenger").RequireRateLimiting(EngineRateLimits.AdminWrites);
        return app;
    }

    /// <summary>
    /// Makes the challenger of the program's <paramref name="role"/> model its champion: the program's next version
    /// names it, with its card's features, and no challenger for that role. Checked as a saved version is, and audited.
    /// </summary>
    public static async Task<Results<ContentHttpResult, ValidationProblem, ProblemHttpResult>> PromoteAsync(
        string programId, string role, HttpRequest request, IGrainFactory grains, ProgramModelCheck check, AuditTrail audit)
    {
        if (!ApiValidation.IsValidId(programId))
        {
            return ApiValidation.Invalid("programId", $"A program id is {ApiValidation.IdRule}.");
        }

        if (!ModelRoles.All.Contains(role))
        {
            return ApiValidation.Invalid("role", $"A role is one of {string.Join(", ", ModelRoles.All)}.");
        }

        var program = grains.GetGrain<IProgramGrain>(programId);
        if (await program.GetConfig() is not { } before)
        {
            return ApiValidation.NotFound($"Program '{programId}' is not configured.");
        }

        var position = before.ScoringModels.ToList().FindIndex(model => RoleOf(check.Models, model.ModelId) == role);
        if (position < 0 || before.ScoringModels[position].Challenger is not { } challengerId || RoleOf(check.Models, challengerId) is null)
        {
            return TypedResults.Problem($"Program '{programId}' has no served {role} challenger to promote.", statusCode: StatusCodes.Status409Conflict, title: "No challenger");
        }

        var champion = before.ScoringModels[position];
        var challenger = check.Models.Get(challengerId);
        var promoted = before with
        {
            ScoringModels = [.. before.ScoringModels.Select((model, index) => index != position ? model
                : new ScoringModelConfig(challenger.ModelId, champion.Endpoint.Replace(champion.ModelId, challenger.ModelId, StringComparison.Ordinal), challenger.Features)
                {
                    Role = champion.Role,
                })],
        };
        if (check.Check(promoted) is { Count: > 0 } errors)
        {
            return TypedResults.Problem(
                $"Program '{programId}' would not be valid with '{challengerId}' as its {role} model: {string.Join("; ", errors.Select(error => $"{error.Path}: {error.Message}"))}.",
                statusCode: StatusCodes.Status409Conflict, title: "The challenger does not fit the program");
        }

        var after = await program.Configure(promoted);
        await audit.AppendAsync(AuditRecords.ProgramConfigured(AuditActors.Of(request.HttpContext), before, after) with { Action = AuditActions.ChallengerPromoted }, CancellationToken.None);
        return AdminApi.Document(after, request);
    }

    private static string? RoleOf(ICreditModelRegistry models, string modelId)
    {
        try
        {
            return models.Get(modelId).Role;
        }
        catch (KeyNotFoundException)
        {
            return null;
        }
    }
}
