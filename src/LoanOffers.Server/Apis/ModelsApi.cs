using LoanOffers.Grains;
using LoanOffers.Scoring;
using LoanOffers.Scoring.Models;
using LoanOffers.Scoring.Training;
using LoanOffers.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace LoanOffers.Server.Apis;

public sealed record RetrainRequest(string? OutcomesPath);

/// <summary>The lending team's model operations: what is served, retraining from recorded outcomes, rollback.</summary>
public static class ModelsApi
{
    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        var models = app.MapGroup("/api/v1/admin/models").WithTags("Models").RequireAuthorization(EnginePolicies.ModelsRead)
            .WithBodyLimit(ApiLimits.MaxCommandBytes);
        models.MapGet("/", GetModels).WithName("GetModels");
        models.MapPost("/{modelId}/retrain", RetrainAsync).WithName("RetrainModel").RequireAuthorization(EnginePolicies.ModelsWrite);
        models.MapPost("/{modelId}/rollback", Rollback).WithName("RollBackModel").RequireAuthorization(EnginePolicies.ModelsWrite);
        return app;
    }

    public static Results<Ok<IReadOnlyList<ModelCard>>, ProblemHttpResult> GetModels(ICreditModelRegistry registry) =>
        registry is OnnxCreditModelRegistry onnx
            ? TypedResults.Ok(onnx.ActiveModels)
            : NoTrainedModels();

    /// <summary>
    /// Trains a candidate on the outcomes file (inside the data directory), compares it with the served version on
    /// the same held-out rows and promotes it only if it is better; the old version stays for rollback.
    /// </summary>
    public static async Task<Results<Ok<RetrainingResult>, ValidationProblem, ProblemHttpResult>> RetrainAsync(
        string modelId, RetrainRequest request, ICreditModelRegistry registry, IServiceProvider services, CustomerSource files, CancellationToken cancellationToken)
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
            return TypedResults.Ok(await services.GetRequiredService<ModelRetrainer>().RetrainAsync(modelId, path, cancellationToken));
        }
        catch (InvalidDataException failure)
        {
            return ApiValidation.Invalid("outcomesPath", failure.Message);
        }
    }

    public static Results<Ok<string>, ValidationProblem, ProblemHttpResult> Rollback(string modelId, ICreditModelRegistry registry, IOptions<ScoringOptions> options)
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
        if (store.ActiveVersion(modelId) is null)
        {
            return ApiValidation.NotFound($"No model '{modelId}' is served.");
        }

        if (store.Rollback(modelId) is not { } version)
        {
            return TypedResults.Problem($"Model '{modelId}' has no earlier version to roll back to.", statusCode: StatusCodes.Status409Conflict, title: "Nothing to roll back to");
        }

        onnx.Reload();
        return TypedResults.Ok(version);
    }

    private static ProblemHttpResult NoTrainedModels() =>
        TypedResults.Problem("The engine scores with the placeholder models: no trained models are configured (Scoring:ModelDirectory).",
            statusCode: StatusCodes.Status409Conflict, title: "No trained models");
}
