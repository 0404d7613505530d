using LoanOffers.Abstractions;
using LoanOffers.Domain;
using LoanOffers.Grains;
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
        programs.MapGet("/", ListProgramsAsync).WithName("ListPrograms");
        programs.MapPut("/{programId}", PutProgramAsync).WithName("PutProgram").RequireAuthorization(EnginePolicies.ProgramsWrite)
            .RequireRateLimiting(EngineRateLimits.AdminWrites)
            .WithBodyLimit(ApiLimits.MaxProgramBytes + 1).Accepts<ProgramConfig>("application/json", "application/yaml");
        programs.MapGet("/{programId}", GetProgramAsync).WithName("GetProgram");
        programs.MapGet("/{programId}/versions", GetVersionsAsync).WithName("GetProgramVersions");
        programs.MapGet("/{programId}/versions/{version:int}", GetVersionAsync).WithName("GetProgramVersion");
        programs.MapGet("/{programId}/versions/{version:int}/diff", GetVersionDiffAsync).WithName("GetProgramVersionDiff");
        programs.MapPost("/{programId}/runs", StartRunAsync).WithName("StartRun").RequireAuthorization(EnginePolicies.ProgramsWrite)
            .RequireRateLimiting(EngineRateLimits.AdminWrites);
        programs.MapGet("/{programId}/runs", GetRunsAsync).WithName("GetRuns");
        programs.MapGet("/{programId}/runs/{runId}", GetRunAsync).WithName("GetRun");
        programs.MapGet("/{programId}/candidates", GetCandidatesAsync).WithName("GetCandidates");
        programs.MapGet("/{programId}/runs/{runId}/campaign", GetCampaignAsync).WithName("GetCampaign");
        programs.MapPost("/{programId}/runs/{runId}/campaign", StartCampaignAsync).WithName("StartCampaign").RequireAuthorization(EnginePolicies.ProgramsWrite)
            .RequireRateLimiting(EngineRateLimits.AdminWrites).WithBodyLimit(ApiLimits.MaxCommandBytes);
        programs.MapPost("/{programId}/runs/{runId}/campaign:pause", PauseCampaignAsync).WithName("PauseCampaign").RequireAuthorization(EnginePolicies.ProgramsWrite)
            .RequireRateLimiting(EngineRateLimits.AdminWrites);
        programs.MapPost("/{programId}/runs/{runId}/campaign:resume", ResumeCampaignAsync).WithName("ResumeCampaign").RequireAuthorization(EnginePolicies.ProgramsWrite)
            .RequireRateLimiting(EngineRateLimits.AdminWrites);
        programs.MapGet("/{programId}/runs/{runId}/funnel", GetFunnelAsync).WithName("GetFunnel");
        return app;
    }

    /// <summary>Every configured program with its latest version, by id.</summary>
    public static async Task<Ok<IReadOnlyList<ProgramSummary>>> ListProgramsAsync(IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<IProgramCatalogGrain>(IProgramCatalogGrain.Key).List());

    public static async Task<Results<ContentHttpResult, ValidationProblem>> PutProgramAsync(
        string programId, HttpRequest request, IGrainFactory grains, ProgramModelCheck models, AuditTrail audit)
    {
        var (config, problem) = await ReadProgramAsync(programId, request, models);
        if (config is null)
        {
            return problem!;
        }

        var program = grains.GetGrain<IProgramGrain>(programId);
        var before = await program.GetConfig();
        var after = await program.Configure(config);
        await audit.AppendAsync(AuditRecords.ProgramConfigured(AuditActors.Of(request.HttpContext), before, after), CancellationToken.None);
        return Document(after, request);
    }

    /// <summary>
    /// A program document from the request body, JSON or seed 000's YAML by <c>Content-Type</c>, checked as a saved
    /// version would be (its models against their cards and its connector); or the problem naming each error's path.
    /// </summary>
    public static async Task<(ProgramConfig? Config, ValidationProblem? Problem)> ReadProgramAsync(string programId, HttpRequest request, ProgramModelCheck models)
    {
        if (!ApiValidation.IsValidId(programId))
        {
            return (null, ApiValidation.Invalid("programId", $"A program id is {ApiValidation.IdRule}."));
        }

        if (request.ContentLength > ApiLimits.MaxProgramBytes)
        {
            return (null, ApiValidation.Invalid("$", $"A program configuration may be at most {ApiLimits.MaxProgramBytes / 1024} KB."));
        }

        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        if (text.Length > ApiLimits.MaxProgramBytes)
        {
            return (null, ApiValidation.Invalid("$", $"A program configuration may be at most {ApiLimits.MaxProgramBytes / 1024} KB."));
        }

        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        var parsed = mediaType is "application/yaml" or "application/x-yaml" or "text/yaml"
            ? ProgramConfigParser.ParseYaml(text)
            : ProgramConfigParser.ParseJson(text);
        if (parsed.Config is null || parsed.Errors.Count > 0)
        {
            return (null, Invalid(parsed.Errors));
        }

        if (parsed.Config.ProgramId != programId)
        {
            return (null, ApiValidation.Invalid("programId", $"The document is for program '{parsed.Config.ProgramId}', but the URL names '{programId}'."));
        }

        return models.Check(parsed.Config) is { Count: > 0 } modelErrors ? (null, Invalid(modelErrors)) : (parsed.Config, null);
    }

    private static ValidationProblem Invalid(IEnumerable<ConfigError> errors) => ApiValidation.Invalid(errors
        .GroupBy(error => error.Path)
        .ToDictionary(group => group.Key, group => group.Select(error => error.Message).ToArray()));

    /// <summary>The program as the document <c>PUT</c> accepts: seed 000's YAML when <c>Accept</c> asks for it, else JSON.</summary>
    public static async Task<Results<ContentHttpResult, ValidationProblem, ProblemHttpResult>> GetProgramAsync(string programId, HttpRequest request, IGrainFactory grains)
    {
        if (!ApiValidation.IsValidId(programId))
        {
            return ApiValidation.Invalid("programId", $"A program id is {ApiValidation.IdRule}.");
        }

        var config = await grains.GetGrain<IProgramGrain>(programId).GetConfig();
        return config is null ? ApiValidation.NotFound($"Program '{programId}' is not configured.") : Document(config, request);
    }

    /// <summary>Every stored version of the program, oldest first: number, name, whether enabled.</summary>
    public static async Task<Results<Ok<IReadOnlyList<ProgramVersion>>, ValidationProblem, ProblemHttpResult>> GetVersionsAsync(string programId, IGrainFactory grains)
    {
        if (!ApiValidation.IsValidId(programId))
        {
            return ApiValidation.Invalid("programId", $"A program id is {ApiValidation.IdRule}.");
        }

        var versions = await grains.GetGrain<IProgramGrain>(programId).GetVersions();
        return versions.Count == 0
            ? ApiValidation.NotFound($"Program '{programId}' is not configured.")
            : TypedResults.Ok<IReadOnlyList<ProgramVersion>>([.. versions.Select(config => new ProgramVersion(config.Version, config.ProgramName, config.Enabled))]);
    }

    /// <summary>One stored version, as the document <c>PUT</c> accepts (JSON or YAML by <c>Accept</c>).</summary>
    public static async Task<Results<ContentHttpResult, ValidationProblem, ProblemHttpResult>> GetVersionAsync(string programId, int version, HttpRequest request, IGrainFactory grains)
    {
        if (!ApiValidation.IsValidId(programId))
        {
            return ApiValidation.Invalid("programId", $"A program id is {ApiValidation.IdRule}.");
        }

        return await grains.GetGrain<IProgramGrain>(programId).GetConfigVersion(version) is { } config
            ? Document(config, request)
            : ApiValidation.NotFound($"Program '{programId}' has no version {version}.");
    }

    /// <summary>What changed from version <c>from</c> (default: the one before) to <paramref name="version"/>: one line per changed value, <c>path: before → after</c>.</summary>
    public static async Task<Results<Ok<ProgramVersionDiff>, ValidationProblem, ProblemHttpResult>> GetVersionDiffAsync(string programId, int version, int? from, IGrainFactory grains)
    {
        if (!ApiValidation.IsValidId(programId))
        {
            return ApiValidation.Invalid("programId", $"A program id is {ApiValidation.IdRule}.");
        }

        var program = grains.GetGrain<IProgramGrain>(programId);
        var earlier = from ?? version - 1;
        if (await program.GetConfigVersion(version) is not { } to)
        {
            return ApiValidation.NotFound($"Program '{programId}' has no version {version}.");
        }

        if (await program.GetConfigVersion(earlier) is not { } before)
        {
            return ApiValidation.NotFound($"Program '{programId}' has no version {earlier}.");
        }

        // The version numbers differ by definition; what the lending team wants to see is everything else.
        var changes = JsonChanges.Between(ProgramDocument.ToJson(before with { Version = 0 }), ProgramDocument.ToJson(to with { Version = 0 }));
        return TypedResults.Ok(new ProgramVersionDiff(programId, earlier, version, changes));
    }

    internal static ContentHttpResult Document(ProgramConfig config, HttpRequest request) =>
        request.Headers.Accept.Any(accept => accept is not null && (accept.Contains("yaml", StringComparison.OrdinalIgnoreCase)))
            ? TypedResults.Content(ProgramDocument.ToYaml(config), "application/yaml", System.Text.Encoding.UTF8)
            : TypedResults.Content(ProgramDocument.ToJson(config), "application/json", System.Text.Encoding.UTF8);

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

        if (continuation is { Length: > MaxContinuationLength } || (continuation is not null && !CandidateIndex.IsContinuation(continuation)))
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

    /// <summary>A campaign's status and its messages by outbox status (pending, sent, suppressed, parked).</summary>
    public static async Task<Results<Ok<CampaignProgress>, ValidationProblem, ProblemHttpResult>> GetCampaignAsync(string programId, string runId, IGrainFactory grains)
    {
        if (InvalidRunIds(programId, runId) is { } invalid)
        {
            return invalid;
        }

        return await grains.GetGrain<IProgramGrain>(programId).GetRun(runId) is null
            ? UnknownRun(programId, runId)
            : TypedResults.Ok(await CampaignOf(programId, runId, grains).GetProgress());
    }

    /// <summary>
    /// Starts the run's campaign: a message per offered customer and push channel, each checked against the contact
    /// policy as it goes out, at each channel's <c>sendTime</c> in the customer's zone, or at once with
    /// <c>{ "sendNow": true }</c> (which also brings forward a campaign already waiting for its send times).
    /// </summary>
    public static async Task<Results<Accepted<CampaignProgress>, ValidationProblem, ProblemHttpResult>> StartCampaignAsync(
        string programId, string runId, CampaignRequest request, HttpContext context, IGrainFactory grains, AuditTrail audit)
    {
        if (InvalidRunIds(programId, runId) is { } invalid)
        {
            return invalid;
        }

        if (request.SendNow is null)
        {
            return ApiValidation.Invalid("sendNow", "sendNow is required: true sends at once, false at each channel's sendTime in the customer's local time.");
        }

        var run = await grains.GetGrain<IProgramGrain>(programId).GetRun(runId);
        if (run is null)
        {
            return UnknownRun(programId, runId);
        }

        if (run.State != RunState.Completed)
        {
            return TypedResults.Problem($"Run '{runId}' has not completed; its campaign starts once it has.", statusCode: StatusCodes.Status409Conflict, title: "Run not completed");
        }

        var progress = await CampaignOf(programId, runId, grains).Start(request.SendNow.Value);
        await audit.AppendAsync(AuditRecords.CampaignStarted(AuditActors.Of(context), progress), CancellationToken.None);
        return TypedResults.Accepted($"/api/v1/admin/programs/{programId}/runs/{runId}/campaign", progress);
    }

    public static Task<Results<Ok<CampaignProgress>, ValidationProblem, ProblemHttpResult>> PauseCampaignAsync(
        string programId, string runId, HttpContext context, IGrainFactory grains, AuditTrail audit) =>
        ChangeCampaignAsync(programId, runId, context, grains, audit, AuditActions.CampaignPaused, campaign => campaign.Pause());

    public static Task<Results<Ok<CampaignProgress>, ValidationProblem, ProblemHttpResult>> ResumeCampaignAsync(
        string programId, string runId, HttpContext context, IGrainFactory grains, AuditTrail audit) =>
        ChangeCampaignAsync(programId, runId, context, grains, audit, AuditActions.CampaignResumed, campaign => campaign.Resume());

    private static async Task<Results<Ok<CampaignProgress>, ValidationProblem, ProblemHttpResult>> ChangeCampaignAsync(
        string programId, string runId, HttpContext context, IGrainFactory grains, AuditTrail audit, string action, Func<ICampaignGrain, Task<CampaignProgress>> change)
    {
        if (InvalidRunIds(programId, runId) is { } invalid)
        {
            return invalid;
        }

        if (await grains.GetGrain<IProgramGrain>(programId).GetRun(runId) is null)
        {
            return UnknownRun(programId, runId);
        }

        var progress = await change(CampaignOf(programId, runId, grains));
        await audit.AppendAsync(new AuditRecord(AuditActors.Of(context), action, $"{programId}/{runId}", null,
            System.Text.Json.JsonSerializer.Serialize(new { progress.Status }, ApiJson.Options), []), CancellationToken.None);
        return TypedResults.Ok(progress);
    }

    /// <summary>
    /// The run's funnel per tier and channel, seed 000's segment tables: sent, delivered, bounced, opened, clicked,
    /// applied, funded and funded volume, with rates; a row per tier sums its channels (<c>all</c>).
    /// </summary>
    public static async Task<Results<Ok<RunFunnel>, ValidationProblem, ProblemHttpResult>> GetFunnelAsync(
        string programId, string runId, IGrainFactory grains, FunnelLedger funnel, CancellationToken cancellationToken)
    {
        if (InvalidRunIds(programId, runId) is { } invalid)
        {
            return invalid;
        }

        var program = grains.GetGrain<IProgramGrain>(programId);
        if (await program.GetRun(runId) is not { } run)
        {
            return UnknownRun(programId, runId);
        }

        var config = await program.GetConfigVersion(run.ConfigVersion) ?? await program.GetConfig();
        var tiers = config?.LoanOfferStrategy.Segments.Select(segment => segment.CreditTier).ToList() ?? [];
        return TypedResults.Ok(new RunFunnel(programId, runId, await funnel.SegmentsAsync(programId, runId, tiers, cancellationToken)));
    }

    private static ICampaignGrain CampaignOf(string programId, string runId, IGrainFactory grains) => grains.GetGrain<ICampaignGrain>($"{programId}/{runId}");

    private static ValidationProblem? InvalidRunIds(string programId, string runId) =>
        !ApiValidation.IsValidId(programId) ? ApiValidation.Invalid("programId", $"A program id is {ApiValidation.IdRule}.")
        : !ApiValidation.IsValidId(runId) ? ApiValidation.Invalid("runId", $"A run id is {ApiValidation.IdRule}.")
        : null;

    private static ProblemHttpResult UnknownRun(string programId, string runId) => ApiValidation.NotFound($"Program '{programId}' has no run '{runId}'.");
}

/// <summary>One stored version of a program.</summary>
public sealed record ProgramVersion(int Version, string ProgramName, bool Enabled);

public sealed record ProgramVersionDiff(string ProgramId, int From, int To, IReadOnlyList<string> Changes);

/// <summary>A run's funnel, segment by segment.</summary>
public sealed record RunFunnel(string ProgramId, string RunId, IReadOnlyList<FunnelSegment> Segments);

/// <summary>Starting a campaign: <c>sendNow</c> sends at once, or (false) at each channel's send time.</summary>
public sealed record CampaignRequest(bool? SendNow);
