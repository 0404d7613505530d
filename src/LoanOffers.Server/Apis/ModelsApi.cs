using System.Text.Json;
using LoanOffers.Abstractions;
using LoanOffers.Grains;
using LoanOffers.Scoring;
using LoanOffers.Scoring.Models;
using LoanOffers.Scoring.Training;
using LoanOffers.Server.Security;
using LoanOffers.Storage.AzureTables;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace LoanOffers.Server.Apis;

/// <summary>Retrain from an outcomes CSV inside the data directory, or, without <c>outcomesPath</c>, from the outcomes the engine recorded.</summary>
public sealed record RetrainRequest(string? OutcomesPath);

/// <summary>The lending team's model operations: what is served, retraining from recorded outcomes, rollback.</summary>
public static class ModelsApi
{
    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        var models = app.MapGroup("/api/v1/admin/models").WithTags("Models").RequireAuthorization(EnginePolicies.ModelsRead)
            .WithBodyLimit(ApiLimits.MaxCommandBytes);
        models.MapGet("/", GetModels).WithName("GetModels");
        models.MapPost("/{modelId}/retrain", RetrainAsync).WithName("RetrainModel").RequireAuthorization(EnginePolicies.ModelsWrite)
            .RequireRateLimiting(EngineRateLimits.AdminWrites);
        models.MapPost("/{modelId}/rollback", RollbackAsync).WithName("RollBackModel").RequireAuthorization(EnginePolicies.ModelsWrite)
            .RequireRateLimiting(EngineRateLimits.AdminWrites);
        return app;
    }

    public static Results<Ok<IReadOnlyList<ModelCard>>, ProblemHttpResult> GetModels(ICreditModelRegistry registry) =>
        registry is OnnxCreditModelRegistry onnx
            ? TypedResults.Ok(onnx.ActiveModels)
            : NoTrainedModels();

    /// <summary>
    /// Trains a candidate on the outcomes file (inside the data directory) or on the funded and declined applications
    /// the engine recorded, compares it with the served version on the same held-out rows and promotes it only if it
    /// is better; the old version stays for rollback.
    /// </summary>
    public static async Task<Results<Ok<RetrainingResult>, ValidationProblem, ProblemHttpResult>> RetrainAsync(
        string modelId, RetrainRequest request, HttpContext context, ICreditModelRegistry registry, IServiceProvider services, CustomerSource files,
        ApplicationLedger applications, AuditTrail audit, CancellationToken cancellationToken)
    {
        if (!ApiValidation.IsValidId(modelId))
        {
            return ApiValidation.Invalid("modelId", $"A model id is {ApiValidation.IdRule}.");
        }

        if (registry is not OnnxCreditModelRegistry onnx)
        {
            return NoTrainedModels();
        }

        if (onnx.ActiveModels.All(card => card.ModelId != modelId))
        {
            return ApiValidation.NotFound($"No model '{modelId}' is served.");
        }

        var retrainer = services.GetRequiredService<ModelRetrainer>();
        RetrainingResult result;
        if (request.OutcomesPath is null)
        {
            var recorded = await applications.LabelledOutcomesAsync(modelId, cancellationToken);
            try
            {
                result = await Task.Run(() => retrainer.Retrain(modelId, recorded), cancellationToken);
            }
            catch (InvalidDataException failure)
            {
                return ApiValidation.Invalid("outcomesPath", $"Recorded outcomes ({recorded.Count}) cannot retrain '{modelId}': {failure.Message}");
            }
        }
        else
        {
            string path;
            try
            {
                path = files.ResolveInsideDataDirectory(request.OutcomesPath);
            }
            catch (Exception failure) when (failure is InvalidOperationException or FileNotFoundException)
            {
                return ApiValidation.Invalid("outcomesPath", failure.Message);
            }

            try
            {
                result = await retrainer.RetrainAsync(modelId, path, cancellationToken);
            }
            catch (InvalidDataException failure)
            {
                return ApiValidation.Invalid("outcomesPath", failure.Message);
            }
        }

        var actor = AuditActors.Of(context);
        await audit.AppendAsync(new AuditRecord(actor, AuditActions.ModelRetrained, modelId, null, JsonSerializer.Serialize(result, ApiJson.Options), []), CancellationToken.None);
        if (result.Promoted)
        {
            await audit.AppendAsync(new AuditRecord(
                actor, AuditActions.ModelPromoted, modelId, Version(result.CurrentVersion), Version(result.Candidate.Version),
                [$"version: {result.CurrentVersion} → {result.Candidate.Version}"]), CancellationToken.None);
        }

        return TypedResults.Ok(result);
    }

    public static async Task<Results<Ok<string>, ValidationProblem, ProblemHttpResult>> RollbackAsync(
        string modelId, HttpContext context, ICreditModelRegistry registry, IOptions<ScoringOptions> options, IGrainFactory grains, ProgramModelCheck check, AuditTrail audit)
    {
        if (!ApiValidation.IsValidId(modelId))
        {
            return ApiValidation.Invalid("modelId", $"A model id is {ApiValidation.IdRule}.");
        }

        if (registry is not OnnxCreditModelRegistry onnx || options.Value.ModelDirectory is not { } directory)
        {
            return NoTrainedModels();
        }

        var store = new ModelStore(directory);
        if (store.ActiveVersion(modelId) is not { } served)
        {
            return ApiValidation.NotFound($"No model '{modelId}' is served.");
        }

        if (store.PreviousVersion(modelId) is not { } previous)
        {
            return TypedResults.Problem($"Model '{modelId}' has no earlier version to roll back to.", statusCode: StatusCodes.Status409Conflict, title: "Nothing to roll back to");
        }

        OnnxCreditModel earlier;
        try
        {
            earlier = OnnxCreditModel.Load(store.VersionFolder(modelId, previous));
        }
        catch (ModelLoadException)
        {
            return TypedResults.Problem($"Version {previous} of '{modelId}' does not load (its files do not match its card).",
                statusCode: StatusCodes.Status409Conflict, title: "The earlier version is broken");
        }

        using (earlier)
        {
            if (await BrokenProgramsAsync(grains, check, earlier) is { Count: > 0 } broken)
            {
                return TypedResults.Problem(
                    $"Version {previous} of '{modelId}' would not fit the programs that use it: {string.Join("; ", broken)}.",
                    statusCode: StatusCodes.Status409Conflict, title: "The programs that use the model do not fit that version");
            }
        }

        var version = store.Rollback(modelId)!;
        onnx.Reload();
        await audit.AppendAsync(new AuditRecord(
            AuditActors.Of(context), AuditActions.ModelRolledBack, modelId, Version(served), Version(version), [$"version: {served} → {version}"]), CancellationToken.None);
        return TypedResults.Ok(version);
    }

    /// <summary>What would break in each program that uses <paramref name="replacement"/>'s model if it were served instead.</summary>
    private static async Task<List<string>> BrokenProgramsAsync(IGrainFactory grains, ProgramModelCheck check, ICreditModel replacement)
    {
        var broken = new List<string>();
        foreach (var summary in await grains.GetGrain<IProgramCatalogGrain>(IProgramCatalogGrain.Key).List())
        {
            if (await grains.GetGrain<IProgramGrain>(summary.ProgramId).GetConfig() is { } program
                && program.ScoringModels.Any(model => model.ModelId == replacement.ModelId))
            {
                broken.AddRange(check.Check(program, modelId => modelId == replacement.ModelId ? replacement : check.Models.Find(modelId))
                    .Select(error => $"program '{program.ProgramId}' {error.Path}: {error.Message}"));
            }
        }

        return broken;
    }

    private static string Version(string version) => JsonSerializer.Serialize(new { version });

    private static ProblemHttpResult NoTrainedModels() =>
        TypedResults.Problem("The engine scores with the placeholder models: no trained models are configured (Scoring:ModelDirectory).",
            statusCode: StatusCodes.Status409Conflict, title: "No trained models");
}
