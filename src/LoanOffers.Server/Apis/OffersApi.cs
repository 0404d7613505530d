using LoanOffers.Abstractions;
using LoanOffers.Domain;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using LoanOffers.Server.Hosting;

namespace LoanOffers.Server.Apis;

/// <summary>Seed 003's LoanOfferRequest: offers built now for a requested amount and tenure.</summary>
public sealed record LoanOfferRequest(string? UserId, decimal? RequestedAmount, int? RequestedTenure, string? ProgramId);

/// <summary>Seed 003's LoanOfferResponse, with the adjustments made to the request and, when empty, why.</summary>
public sealed record LoanOfferResponse(
    string UserId,
    string ProgramId,
    IReadOnlyList<LoanOffer> Offers,
    IReadOnlyList<OfferAdjustment> Adjustments,
    string? NoOfferReason);

public static class OffersApi
{
    public const decimal MaxRequestedAmount = 1_000_000m;
    public const int MinTenure = 6;
    public const int MaxTenure = 120;

    public static IEndpointRouteBuilder MapOffersApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/offers").WithTags("Offers").MapPost("/", RequestOffersAsync).WithName("RequestOffers");
        return app;
    }

    public static async Task<Results<Ok<LoanOfferResponse>, ValidationProblem, ProblemHttpResult>> RequestOffersAsync(
        LoanOfferRequest request, IGrainFactory grains, IOptions<ServingOptions> serving, TimeProvider time)
    {
        var errors = new Dictionary<string, string[]>();
        if (!ApiValidation.IsValidId(request.UserId))
        {
            errors["userId"] = [$"userId is required: {ApiValidation.IdRule}."];
        }

        if (request.RequestedAmount is { } amount && (amount <= 0 || amount > MaxRequestedAmount))
        {
            errors["requestedAmount"] = [$"requestedAmount must be above 0 and at most {MaxRequestedAmount:0}."];
        }

        if (request.RequestedTenure is { } tenure && (tenure < MinTenure || tenure > MaxTenure))
        {
            errors["requestedTenure"] = [$"requestedTenure must be between {MinTenure} and {MaxTenure} months."];
        }

        var programId = request.ProgramId ?? serving.Value.DefaultProgramId;
        if (!ApiValidation.IsValidId(programId))
        {
            errors["programId"] = [$"programId is {ApiValidation.IdRule}."];
        }

        if (errors.Count > 0)
        {
            return ApiValidation.Invalid(errors);
        }

        var program = await grains.GetGrain<IProgramGrain>(programId).GetConfig();
        if (program is null)
        {
            return ApiValidation.NotFound($"Program '{programId}' is not configured.");
        }

        var offers = await grains.GetGrain<ICustomerGrain>(request.UserId!).RequestOffers(
            new OfferRequestCommand(program, request.RequestedAmount, request.RequestedTenure, time.GetUtcNow()));
        return offers is null
            ? ApiValidation.NotFound($"Customer '{request.UserId}' is unknown to the engine.")
            : TypedResults.Ok(new LoanOfferResponse(offers.CustomerId, offers.ProgramId, offers.Offers, offers.Adjustments, offers.NoOfferReason));
    }
}
