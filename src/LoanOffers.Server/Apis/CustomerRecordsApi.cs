using LoanOffers.Abstractions;
using LoanOffers.Server.Security;
using LoanOffers.Storage.AzureTables;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoanOffers.Server.Apis;

/// <summary>What compliance staff read about one customer: every decision with its principal reasons, and the firm-offer records.</summary>
public static class CustomerRecordsApi
{
    public static IEndpointRouteBuilder MapCustomerRecordsApi(this IEndpointRouteBuilder app)
    {
        var customers = app.MapGroup("/api/v1/admin/customers").WithTags("Compliance").RequireAuthorization(EnginePolicies.CustomerRecordsRead)
            .WithBodyLimit(ApiLimits.NoBody);
        customers.MapGet("/{customerId}/decisions", GetDecisionsAsync).WithName("GetCustomerDecisions");
        customers.MapGet("/{customerId}/records", GetRecordsAsync).WithName("GetCustomerRecords");
        return app;
    }

    /// <summary>Each program's latest decision (outcome, scores, principal reasons in order of weight), its live and withdrawn offers, and the applications.</summary>
    public static async Task<Results<Ok<CustomerDecisions>, ValidationProblem, ProblemHttpResult>> GetDecisionsAsync(string customerId, IGrainFactory grains)
    {
        if (!ApiValidation.IsValidId(customerId))
        {
            return ApiValidation.Invalid("customerId", $"A customer id is {ApiValidation.IdRule}.");
        }

        if (await grains.GetGrain<ICustomerGrain>(customerId).GetDecisions() is not { } decisions)
        {
            return ApiValidation.UnknownCustomer(customerId);
        }

        // Each application's outcome is its own grain's; the customer keeps the application as it was made.
        var applications = await Task.WhenAll(decisions.Applications.Select(async application =>
            await grains.GetGrain<IApplicationGrain>(application.ApplicationId).Get() ?? application));
        return TypedResults.Ok(decisions with { Applications = applications });
    }

    /// <summary>The customer's firm-offer records, newest first, with the criteria of each program version; kept 25 months after each offer.</summary>
    public static async Task<Results<Ok<CustomerRecords>, ValidationProblem>> GetRecordsAsync(
        string customerId, FirmOfferRecordStore records, CancellationToken cancellationToken)
    {
        if (!ApiValidation.IsValidId(customerId))
        {
            return ApiValidation.Invalid("customerId", $"A customer id is {ApiValidation.IdRule}.");
        }

        return TypedResults.Ok(await records.ForCustomerAsync(customerId, cancellationToken));
    }
}
