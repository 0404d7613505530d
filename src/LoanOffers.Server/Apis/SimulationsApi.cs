using LoanOffers.Abstractions;
using LoanOffers.Grains;
using LoanOffers.Server.Hosting;
using LoanOffers.Server.Security;
using LoanOffers.Storage.AzureTables;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoanOffers.Server.Apis;

/// <summary>What-if runs: a proposed program version, not saved, decided over the live program's book beside the live version.</summary>
public static class SimulationsApi
{
    public const int MaxSample = 1_000_000;

    public static IEndpointRouteBuilder MapSimulationsApi(this IEndpointRouteBuilder app)
    {
        // A simulation changes nothing, so whoever may read programs may try a change on them.
        var simulations = app.MapGroup("/api/v1/admin/programs/{programId}/simulations").WithTags("Simulations").RequireAuthorization(EnginePolicies.ProgramsRead);
        simulations.WithRequestTimeout(EngineHostingExtensions.StorageTimeoutPolicy);
        simulations.MapPost("/", StartAsync).WithName("StartSimulation").RequireRateLimiting(EngineRateLimits.AdminWrites)
            .WithBodyLimit(ApiLimits.MaxProgramBytes + 1).Accepts<Domain.ProgramConfig>("application/json", "application/yaml");
        simulations.MapGet("/{simulationId}", GetAsync).WithName("GetSimulation").WithBodyLimit(ApiLimits.NoBody);
        return app;
    }

    /// <summary>Starts a what-if run of the posted document over the live program's customers, or <paramref name="sample"/> of them.</summary>
    public static async Task<Results<Accepted<SimulationStatus>, ValidationProblem, ProblemHttpResult>> StartAsync(
        string programId, int? sample, HttpRequest request, IGrainFactory grains, ProgramModelCheck models, TimeProvider time, AuditTrail audit)
    {
        if (sample is < 1 or > MaxSample)
        {
            return ApiValidation.Invalid("sample", $"A sample is between 1 and {MaxSample:N0} customers.");
        }

        var (proposed, problem) = await AdminApi.ReadProgramAsync(programId, request, models);
        if (proposed is null)
        {
            return problem!;
        }

        if (await grains.GetGrain<IProgramGrain>(programId).GetConfig() is not { } live)
        {
            return ApiValidation.NotFound($"Program '{programId}' is not configured, so it has no book to simulate over.");
        }

        var actor = AuditActors.Of(request.HttpContext);
        var simulationId = "sim-" + time.GetUtcNow().ToString("yyyyMMdd'T'HHmmssfff'Z'", System.Globalization.CultureInfo.InvariantCulture)
            + "-" + Guid.NewGuid().ToString("N")[..6];
        var status = await grains.GetGrain<ISimulationGrain>($"{programId}/{simulationId}")
            .Start(new SimulationRequest(proposed with { Version = live.Version + 1 }, live, sample, actor.Subject));
        await audit.AppendAsync(new AuditRecord(actor, AuditActions.ProgramSimulated, $"{programId}/{simulationId}", null, null,
            [$"sample: {(sample is null ? "the whole book" : sample.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))}", $"against version {live.Version}"]), CancellationToken.None);
        return TypedResults.Accepted($"/api/v1/admin/programs/{programId}/simulations/{simulationId}", status);
    }

    public static async Task<Results<Ok<SimulationStatus>, ValidationProblem, ProblemHttpResult>> GetAsync(string programId, string simulationId, IGrainFactory grains)
    {
        if (!ApiValidation.IsValidId(programId) || !ApiValidation.IsValidId(simulationId))
        {
            return ApiValidation.Invalid(ApiValidation.IsValidId(programId) ? "simulationId" : "programId", $"An id is {ApiValidation.IdRule}.");
        }

        return await grains.GetGrain<ISimulationGrain>($"{programId}/{simulationId}").GetStatus() is { } status
            ? TypedResults.Ok(status)
            : ApiValidation.NotFound($"Program '{programId}' has no simulation '{simulationId}'.");
    }
}
