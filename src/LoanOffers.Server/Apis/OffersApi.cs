using System.Security.Claims;
using LoanOffers.Abstractions;
using LoanOffers.Domain;
using LoanOffers.Server.Hosting;
using LoanOffers.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace LoanOffers.Server.Apis;

/// <summary>Seed 003's LoanOfferRequest: offers built now for a requested amount and tenure.</summary>
public sealed record LoanOfferRequest(string? UserId, decimal? RequestedAmount, int? RequestedTenure, string? ProgramId);

/// <summary>
/// Seed 003's LoanOfferResponse, with the adjustments made to the request, when empty why, and the offer that matches
/// the exact amount and tenure asked for (ranked first), when it could be made.
/// </summary>
public sealed record LoanOfferResponse(
    string UserId,
    string ProgramId,
    IReadOnlyList<LoanOffer> Offers,
    IReadOnlyList<OfferAdjustment> Adjustments,
    string? NoOfferReason,
    string? MatchedOfferId);

/// <summary>The same answer as a customer's app sees it: the terms, and when there are none, words safe to show.</summary>
public sealed record CustomerLoanOfferResponse(
    string UserId,
    string ProgramId,
    IReadOnlyList<CustomerOfferTerms> Offers,
    IReadOnlyList<OfferAdjustment> Adjustments,
    string? NoOfferReason,
    string? MatchedOfferId);

public static class OffersApi
{
    public const decimal MaxRequestedAmount = 1_000_000m;
    public const int MinTenure = 6;
    public const int MaxTenure = 120;

    /// <summary>
    /// Why a customer gets no offer, in words that reveal nothing the bank used to decide: a reason such as a credit
    /// score below a threshold would let anyone holding the customer's app learn the score by asking.
    /// </summary>
    public const string CustomerNoOfferReason =
        "We can't offer you a pre-approved loan from this program right now. Asking has no impact on your credit score.";

    public static IEndpointRouteBuilder MapOffersApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/offers").WithTags("Offers").RequireAuthorization(EnginePolicies.Offers)
            .RequireRateLimiting(EngineRateLimits.OfferReads).MapPost("/", RequestOffersAsync).WithName("RequestOffers").WithBodyLimit(ApiLimits.MaxCommandBytes);
        return app;
    }

    /// <summary>
    /// A customer's token asks for its own customer (a <c>userId</c> may be left out, or must match); the offers
    /// service asks for anyone.
    /// </summary>
    public static async Task<Results<Ok<LoanOfferResponse>, Ok<CustomerLoanOfferResponse>, ValidationProblem, ProblemHttpResult>> RequestOffersAsync(
        LoanOfferRequest request, ClaimsPrincipal user, IGrainFactory grains, IOptions<ServingOptions> serving, TimeProvider time)
    {
        var errors = new Dictionary<string, string[]>();
        var customerView = EngineClaims.SeesCustomerView(user);
        var userId = request.UserId ?? (customerView ? EngineClaims.SubjectOf(user) : null);
        if (!ApiValidation.IsValidId(userId))
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

        if (!EngineClaims.MayActFor(user, userId!))
        {
            return ApiValidation.UnknownCustomer(userId!);
        }

        var program = await grains.GetGrain<IProgramGrain>(programId).GetConfig();
        if (program is null)
        {
            return ApiValidation.NotFound($"Program '{programId}' is not configured.");
        }

        var offers = await grains.GetGrain<ICustomerGrain>(userId!).RequestOffers(
            new OfferRequestCommand(program, request.RequestedAmount, request.RequestedTenure, time.GetUtcNow()));
        if (offers is null)
        {
            return ApiValidation.UnknownCustomer(userId!);
        }

        return customerView
            ? TypedResults.Ok(new CustomerLoanOfferResponse(
                offers.CustomerId,
                offers.ProgramId,
                [.. offers.Offers.Select(CustomerOfferTerms.From)],
                offers.Adjustments,
                offers.Offers.Count == 0 ? CustomerNoOfferReason : null,
                offers.MatchedOfferId))
            : TypedResults.Ok(new LoanOfferResponse(offers.CustomerId, offers.ProgramId, offers.Offers, offers.Adjustments, offers.NoOfferReason, offers.MatchedOfferId));
    }
}
