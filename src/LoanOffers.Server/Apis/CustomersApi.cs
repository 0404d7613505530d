using LoanOffers.Abstractions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoanOffers.Server.Apis;

/// <summary>Client apps: a customer's ranked offers, served from grain state.</summary>
public static class CustomersApi
{
    public static IEndpointRouteBuilder MapCustomersApi(this IEndpointRouteBuilder app)
    {
        var customers = app.MapGroup("/api/v1/customers").WithTags("Customers");
        customers.MapGet("/{customerId}/offers", GetOffersAsync).WithName("GetCustomerOffers").Produces<CustomerOffers>();
        return app;
    }

    /// <summary>The grain keeps its answer serialized, so this path is one local grain call and a copy to the socket.</summary>
    public static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> GetOffersAsync(string customerId, IGrainFactory grains)
    {
        if (!ApiValidation.IsValidId(customerId))
        {
            return ApiValidation.Invalid("customerId", $"A customer id is {ApiValidation.IdRule}.");
        }

        var json = (await grains.GetGrain<ICustomerGrain>(customerId).GetOffersJson()).Value;
        return json is null
            ? ApiValidation.NotFound($"Customer '{customerId}' is unknown to the engine.")
            : TypedResults.Bytes(json, "application/json");
    }
}
