using LoanOffers.Abstractions;
using LoanOffers.Domain;
using LoanOffers.Grains;
using LoanOffers.Scoring;
using LoanOffers.Scoring.Training;
using LoanOffers.Server.Hosting;
using LoanOffers.Server.Security;
using LoanOffers.Storage.AzureTables;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoanOffers.Server.Apis;

/// <summary>A champion and its challenger on the applications' recorded outcomes: rows and each model's AUC (null, with why, when none can be had).</summary>
public sealed record ChallengerOnOutcomes(string Role, string Champion, string Challenger, int Outcomes, double? ChampionAuc, double? ChallengerAuc, string? Note);

/// <summary>
/// Watching a program's challengers on recorded outcomes, and model-ops' one call after watching: the challenger
/// becomes its program's champion, as a new program version.
/// </summary>
public static class ChallengersApi
{
    public static IEndpointRouteBuilder MapChallengersApi(this IEndpointRouteBuilder app)
    {
        var challengers = app.MapGroup("/api/v1/admin/programs/{programId}/challengers").WithTags("Models").RequireAuthorization(EnginePolicies.ModelsRead);
        challengers.WithRequestTimeout(EngineHostingExtensions.StorageTimeoutPolicy).WithBodyLimit(ApiLimits.NoBody);
        challengers.MapGet("/", GetOnOutcomesAsync).WithName("GetChallengers");
        challengers.MapPost("/{role}:promote", PromoteAsync).WithName("PromoteChallenger").RequireAuthorization(EnginePolicies.ModelsWrite)
            .RequireRateLimiting(EngineRateLimits.AdminWrites);
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

        var position = before.ScoringModels.ToList().FindIndex(model => check.Models.Find(model.ModelId)?.Role == role);
        if (position < 0 || before.ScoringModels[position].Challenger is not { } challengerId || check.Models.Find(challengerId) is not { } challenger)
        {
            return TypedResults.Problem($"Program '{programId}' has no served {role} challenger to promote.", statusCode: StatusCodes.Status409Conflict, title: "No challenger");
        }

        var champion = before.ScoringModels[position];
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

    /// <summary>
    /// Each of the program's champions with a challenger, both scored on the outcomes the engine recorded for the
    /// applications the champion scored (funded or declined): their AUC on the same rows. Outcomes carry the core
    /// fields only and label approvals, so a pair is compared where both models are approval models on core fields.
    /// </summary>
    public static async Task<Results<Ok<IReadOnlyList<ChallengerOnOutcomes>>, ValidationProblem, ProblemHttpResult>> GetOnOutcomesAsync(
        string programId, IGrainFactory grains, ICreditModelRegistry models, ApplicationLedger applications, CancellationToken cancellationToken)
    {
        if (!ApiValidation.IsValidId(programId))
        {
            return ApiValidation.Invalid("programId", $"A program id is {ApiValidation.IdRule}.");
        }

        if (await grains.GetGrain<IProgramGrain>(programId).GetConfig() is not { } config)
        {
            return ApiValidation.NotFound($"Program '{programId}' is not configured.");
        }

        var compared = new List<ChallengerOnOutcomes>();
        foreach (var entry in config.ScoringModels.Where(entry => entry.Challenger is not null))
        {
            if (models.Find(entry.ModelId) is not { } champion || models.Find(entry.Challenger!) is not { } challenger)
            {
                continue;
            }

            var role = champion.Role;
            if (role != ModelRoles.Approval || champion.Features.Concat(challenger.Features).Any(feature => !ModelFeatures.IsCore(feature)))
            {
                compared.Add(new ChallengerOnOutcomes(role, champion.ModelId, challenger.ModelId, 0, null, null,
                    "Recorded outcomes label approvals and carry the core fields only; this pair cannot be scored on them."));
                continue;
            }

            var outcomes = (await applications.LabelledOutcomesAsync(champion.ModelId, cancellationToken))
                .Where(outcome => outcome.Features.Count == ModelFeatures.Names.Count)
                .ToList();
            var labels = outcomes.Select(outcome => outcome.Funded).ToList();
            var bothOutcomes = labels.Distinct().Count() == 2;
            compared.Add(new ChallengerOnOutcomes(role, champion.ModelId, challenger.ModelId, outcomes.Count,
                bothOutcomes ? Math.Round(ModelEvaluation.Auc(ScoresOn(champion, outcomes), labels), 4) : null,
                bothOutcomes ? Math.Round(ModelEvaluation.Auc(ScoresOn(challenger, outcomes), labels), 4) : null,
                bothOutcomes ? null : "An AUC needs both funded and declined applications among the recorded outcomes."));
        }

        return TypedResults.Ok<IReadOnlyList<ChallengerOnOutcomes>>(compared);
    }

    /// <summary>The model's score of each recorded outcome.</summary>
    private static List<double> ScoresOn(ICreditModel model, IReadOnlyList<LabelledOutcome> outcomes)
    {
        var probabilities = new float[outcomes.Count];
        model.Score(LabelledOutcome.Rows(outcomes, model.Features), outcomes.Count, probabilities);
        return [.. probabilities.Select(probability => (double)probability)];
    }
}
