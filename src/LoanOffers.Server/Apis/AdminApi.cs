using LoanOffers.Abstractions;
using LoanOffers.Domain;
using LoanOffers.Storage.AzureTables;
using LoanOffers.Server.Hosting;
using LoanOffers.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoanOffers.Server.Apis;

/// <summary>The lending team's API: programs (JSON or seed-000 YAML), runs, candidates.</summary>
public static class AdminApi
{
    private const int MaxContinuationLength = 1024;

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var programs = app.MapGroup("/api/v1/admin/programs").WithTags("Admin").RequireAuthorization(EnginePolicies.ProgramsRead);
        programs.WithRequestTimeout(EngineHostingExtensions.StorageTimeoutPolicy).WithBodyLimit(ApiLimits.NoBody);
        programs.MapPut("/{programId}", PutProgramAsync).WithName("PutProgram").RequireAuthorization(EnginePolicies.ProgramsWrite)
            .RequireRateLimiting(EngineRateLimits.AdminWrites)
            .WithBodyLimit(ApiLimits.MaxProgramBytes + 1).Accepts<ProgramConfig>("application/json", "application/yaml");
        programs.MapGet("/{programId}", GetProgramAsync).WithName("GetProgram");
        programs.MapPost("/{programId}/runs", StartRunAsync).WithName("StartRun").RequireAuthorization(EnginePolicies.ProgramsWrite)
            .RequireRateLimiting(EngineRateLimits.AdminWrites);
        programs.MapGet("/{programId}/runs", GetRunsAsync).WithName("GetRuns");
        programs.MapGet("/{programId}/runs/{runId}", GetRunAsync).WithName("GetRun");
        programs.MapGet("/{programId}/candidates", GetCandidatesAsync).WithName("GetCandidates");
        return app;
    }

    public static async Task<Results<Ok<ProgramConfig>, ValidationProblem>> PutProgramAsync(string programId, HttpRequest request, IGrainFactory grains, AuditTrail audit)
    {
        if (!ApiValidation.IsValidId(programId))
        {
            return ApiValidation.Invalid("programId", $"A program id is {ApiValidation.IdRule}.");
        }

        if (request.ContentLength > ApiLimits.MaxProgramBytes)
        {
            return ApiValidation.Invalid("$", $"A program configuration may be at most {ApiLimits.MaxProgramBytes / 1024} KB.");
        }

        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        if (text.Length > ApiLimits.MaxProgramBytes)
        {
            return ApiValidation.Invalid("$", $"A program configuration may be at most {ApiLimits.MaxProgramBytes / 1024} KB.");
        }

        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        var parsed = mediaType is "application/yaml" or "application/x-yaml" or "text/yaml"
            ? ProgramConfigParser.ParseYaml(text)
            : ProgramConfigParser.ParseJson(text);
        if (parsed.Config is null || parsed.Errors.Count > 0)
        {
            return ApiValidation.Invalid(parsed.Errors
                .GroupBy(error => error.Path)
                .ToDictionary(group => group.Key, group => group.Select(error => error.Message).ToArray()));
        }

        if (parsed.Config.ProgramId != programId)
        {
            return ApiValidation.Invalid("programId", $"The document is for program '{parsed.Config.ProgramId}', but the URL names '{programId}'.");
        }

        var program = grains.GetGrain<IProgramGrain>(programId);
        var before = await program.GetConfig();
        var after = await program.Configure(parsed.Config);
        await audit.AppendAsync(AuditRecords.ProgramConfigured(AuditActors.Of(request.HttpContext), before, after), CancellationToken.None);
        return TypedResults.Ok(after);
    }

    public static async Task<Results<Ok<ProgramConfig>, ValidationProblem, ProblemHttpResult>> GetProgramAsync(string programId, IGrainFactory grains)
    {
        if (!ApiValidation.IsValidId(programId))
        {
            return ApiValidation.Invalid("programId", $"A program id is {ApiValidation.IdRule}.");
        }

        var config = await grains.GetGrain<IProgramGrain>(programId).GetConfig();
        return config is null ? ApiValidation.NotFound($"Program '{programId}' is not configured.") : TypedResults.Ok(config);
    }

    public static async Task<Results<Accepted<RunStatus>, ValidationProblem, ProblemHttpResult>> StartRunAsync(string programId, HttpContext context, IGrainFactory grains, AuditTrail audit)
    {
        if (!ApiValidation.IsValidId(programId))
        {
            return ApiValidation.Invalid("programId", $"A program id is {ApiValidation.IdRule}.");
        }

        var program = grains.GetGrain<IProgramGrain>(programId);
        if (await program.GetConfig() is not { } config)
        {
            return ApiValidation.NotFound($"Program '{programId}' is not configured.");
        }

        if (!config.Enabled)
        {
            return TypedResults.Problem($"Program '{programId}' is disabled.", statusCode: StatusCodes.Status409Conflict, title: "Program disabled");
        }

        var result = await program.StartRun();
        if (!result.Started)
        {
            return TypedResults.Problem(
                $"Run '{result.Run.RunId}' of program '{programId}' is still going; one run at a time.",
                statusCode: StatusCodes.Status409Conflict,
                title: "A run is in progress",
                extensions: new Dictionary<string, object?> { ["runId"] = result.Run.RunId });
        }

        await audit.AppendAsync(AuditRecords.RunStarted(AuditActors.Of(context), programId, result.Run), CancellationToken.None);
        return TypedResults.Accepted($"/api/v1/admin/programs/{programId}/runs/{result.Run.RunId}", result.Run);
    }

    public static async Task<Results<Ok<IReadOnlyList<RunStatus>>, ValidationProblem>> GetRunsAsync(string programId, IGrainFactory grains) =>
        ApiValidation.IsValidId(programId)
            ? TypedResults.Ok(await grains.GetGrain<IProgramGrain>(programId).GetRuns())
            : ApiValidation.Invalid("programId", $"A program id is {ApiValidation.IdRule}.");

    /// <summary>The run's report, with how its offers have fared since (applications, funded and declined per tier).</summary>
    public static async Task<Results<Ok<RunStatus>, ValidationProblem, ProblemHttpResult>> GetRunAsync(
        string programId, string runId, IGrainFactory grains, ApplicationLedger applications, CancellationToken cancellationToken)
    {
        if (!ApiValidation.IsValidId(programId))
        {
            return ApiValidation.Invalid("programId", $"A program id is {ApiValidation.IdRule}.");
        }

        if (!ApiValidation.IsValidId(runId))
        {
            return ApiValidation.Invalid("runId", $"A run id is {ApiValidation.IdRule}.");
        }

        var run = await grains.GetGrain<IProgramGrain>(programId).GetRun(runId);
        return run is null
            ? ApiValidation.NotFound($"Program '{programId}' has no run '{runId}'.")
            : TypedResults.Ok(run with { OutcomesByTier = await applications.RunOutcomesAsync(programId, runId, cancellationToken) });
    }

    public static async Task<Results<Ok<CandidatePage>, ValidationProblem, ProblemHttpResult>> GetCandidatesAsync(
        string programId, string? tier, double? minScore, decimal? minAmount, decimal? maxAmount, int? limit, string? continuation,
        IGrainFactory grains, CandidateIndex index, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!ApiValidation.IsValidId(programId))
        {
            errors["programId"] = [$"A program id is {ApiValidation.IdRule}."];
        }

        if (minScore is < 0 or > 1)
        {
            errors["minScore"] = ["minScore must be between 0 and 1."];
        }

        if (limit is < 1 or > 1000)
        {
            errors["limit"] = ["limit must be between 1 and 1000."];
        }

        if (continuation is { Length: > MaxContinuationLength })
        {
            errors["continuation"] = ["continuation is not a token this API issued."];
        }

        if (tier is null && minAmount is null && maxAmount is null)
        {
            errors["tier"] = ["Give a tier (with an optional minScore), or minAmount/maxAmount."];
        }

        if (minAmount is < 0 || maxAmount is < 0 || minAmount > maxAmount)
        {
            errors["minAmount"] = ["minAmount and maxAmount must be non-negative, minAmount not above maxAmount."];
        }

        if (errors.Count > 0)
        {
            return ApiValidation.Invalid(errors);
        }

        var config = await grains.GetGrain<IProgramGrain>(programId).GetConfig();
        if (config is null)
        {
            return ApiValidation.NotFound($"Program '{programId}' is not configured.");
        }

        if (tier is not null && config.LoanOfferStrategy.Segments.All(segment => segment.CreditTier != tier))
        {
            return ApiValidation.Invalid("tier", $"Program '{programId}' has no tier '{tier}' (it has {string.Join(", ", config.LoanOfferStrategy.Segments.Select(s => s.CreditTier))}).");
        }

        var now = time.GetUtcNow();
        var page = tier is not null
            ? await index.QueryByTierAsync(programId, tier, minScore ?? 0, limit ?? 100, continuation, now, cancellationToken)
            : await index.QueryByAmountAsync(programId, minAmount ?? 0, maxAmount ?? 9_999_999_999m, limit ?? 100, continuation, now, cancellationToken);
        return TypedResults.Ok(page);
    }
}
