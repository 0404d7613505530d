using Microsoft.AspNetCore.Http.HttpResults;
using Orleans.Hosting;
using Orleans.Runtime;

namespace LoanOffers.Server.Apis;

public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup(string.Empty).WithTags("Health").AllowAnonymous();
        health.MapGet("/healthz", Alive).WithName("Alive");
        health.MapGet("/readyz", ReadyAsync).WithName("Ready");
        return app;
    }

    public static Ok<string> Alive() => TypedResults.Ok("alive");

    /// <summary>Ready when the silo is active and the tables answer.</summary>
    public static async Task<Results<Ok<string>, ProblemHttpResult>> ReadyAsync(ISiloStatusOracle silo, EngineStorageOptions storage, CancellationToken cancellationToken)
    {
        if (silo.CurrentStatus != SiloStatus.Active)
        {
            return TypedResults.Problem($"The silo is {silo.CurrentStatus}.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready");
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await foreach (var _ in storage.TableServiceClient.QueryAsync(maxPerPage: 1, cancellationToken: timeout.Token))
            {
                break;
            }
        }
        catch (Exception failure)
        {
            return TypedResults.Problem($"Table storage is unreachable: {failure.GetType().Name}.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready");
        }

        return TypedResults.Ok("ready");
    }
}
