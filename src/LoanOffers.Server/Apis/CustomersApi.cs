using LoanOffers.Abstractions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoanOffers.Server.Apis;

/// <summary>Client apps: a customer's ranked offers, served from grain state.</summary>
public static class CustomersApi
{
    public static IEndpointRouteBuilder MapCustomersApi(this IEndpointRouteBuilder app)
    {
        var customers = app.MapGroup("/api/v1/customers").WithTags("Customers");
        customers.MapGet("/{customerId}/offers", GetOffersAsync).WithName("GetCustomerOffers");
        return app;
    }

    public static async Task<Results<Ok<CustomerOffers>, ValidationProblem, ProblemHttpResult>> GetOffersAsync(string customerId, IGrainFactory grains)
    {
        if (!ApiValidation.IsValidId(customerId))
        {
            return ApiValidation.Invalid("customerId", $"A customer id is {ApiValidation.IdRule}.");
        }

        var offers = await grains.GetGrain<ICustomerGrain>(customerId).GetOffers();
        return offers is null
            ? ApiValidation.NotFound($"Customer '{customerId}' is unknown to the engine.")
            : TypedResults.Ok(offers);
    }
}
