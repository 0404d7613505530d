using System.Security.Claims;
using LoanOffers.Abstractions;
using LoanOffers.Grains;
using LoanOffers.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoanOffers.Server.Apis;

/// <summary>Client apps: a customer's ranked offers, served from grain state.</summary>
public static class CustomersApi
{
    public static IEndpointRouteBuilder MapCustomersApi(this IEndpointRouteBuilder app)
    {
        var customers = app.MapGroup("/api/v1/customers").WithTags("Customers").RequireAuthorization(EnginePolicies.Offers)
            .RequireRateLimiting(EngineRateLimits.OfferReads).WithBodyLimit(ApiLimits.NoBody);
        customers.MapGet("/{customerId}/offers", GetOffersAsync).WithName("GetCustomerOffers").Produces<CustomerOffers>();
        return app;
    }

    /// <summary>
    /// The grain keeps its answer serialized and publishes it on its silo, so this path is a dictionary read (or, for
    /// a customer active elsewhere or not yet asked for, one grain call) and a copy to the socket. A
    /// customer's token asking about anyone else gets the unknown customer's answer, so ids cannot be probed.
    /// </summary>
    public static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> GetOffersAsync(
        string customerId, ClaimsPrincipal user, IGrainFactory grains, LocalOfferReads localReads, TimeProvider time)
    {
        if (!ApiValidation.IsValidId(customerId))
        {
            return ApiValidation.Invalid("customerId", $"A customer id is {ApiValidation.IdRule}.");
        }

        if (!EngineClaims.MayActFor(user, customerId))
        {
            return ApiValidation.UnknownCustomer(customerId);
        }

        var audience = EngineClaims.SeesCustomerView(user) ? OfferAudience.Customer : OfferAudience.Bank;
        var json = localReads.TryGet(customerId, audience, time.GetUtcNow(), out var published)
            ? published
            : (await grains.GetGrain<ICustomerGrain>(customerId).GetOffersJson(audience)).Value;
        return json is null ? ApiValidation.UnknownCustomer(customerId) : TypedResults.Bytes(json, "application/json");
    }
}
