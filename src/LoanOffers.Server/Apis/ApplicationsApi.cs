using System.Text.Json;
using LoanOffers.Abstractions;
using LoanOffers.Server.Security;
using LoanOffers.Storage.AzureTables;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoanOffers.Server.Apis;

/// <summary>
/// How an application ended: <c>funded</c> with <c>amount</c> and <c>fundedOn</c>, or <c>declined</c> with
/// <c>reasons</c>.
/// </summary>
public sealed record OutcomeRequest(string? Outcome, decimal? Amount, DateOnly? FundedOn, IReadOnlyList<string>? Reasons);

/// <summary>Applications after 1-click apply: the lender records how each ended; the customer and staff read it.</summary>
public static class ApplicationsApi
{
    private const int MaxDeclineReasons = 10;
    private const int MaxReasonLength = 200;

    public static IEndpointRouteBuilder MapApplicationsApi(this IEndpointRouteBuilder app)
    {
        var applications = app.MapGroup("/api/v1/applications").WithTags("Applications").RequireAuthorization(EnginePolicies.ApplicationsRead)
            .WithBodyLimit(ApiLimits.NoBody);
        applications.MapGet("/{applicationId}", GetApplicationAsync).WithName("GetApplication");
        applications.MapPost("/{applicationId}/outcome", RecordOutcomeAsync).WithName("RecordApplicationOutcome")
            .RequireAuthorization(EnginePolicies.OutcomesWrite).RequireRateLimiting(EngineRateLimits.AdminWrites).WithBodyLimit(ApiLimits.MaxCommandBytes);
        return app;
    }

    /// <summary>One application; a customer reaches only its own (any other answers as an unknown application).</summary>
    public static async Task<Results<Ok<ApplicationView>, ValidationProblem, ProblemHttpResult>> GetApplicationAsync(
        string applicationId, HttpContext context, IGrainFactory grains)
    {
        if (!ApiValidation.IsValidId(applicationId))
        {
            return ApiValidation.Invalid("applicationId", $"An application id is {ApiValidation.IdRule}.");
        }

        var application = await grains.GetGrain<IApplicationGrain>(applicationId).Get();
        var staff = context.User.IsInRole(EngineRoles.LendingAdmin) || context.User.IsInRole(EngineRoles.RiskAnalyst);
        return application is not null && (staff || EngineClaims.MayActFor(context.User, application.CustomerId))
            ? TypedResults.Ok(ApplicationView.From(application))
            : UnknownApplication(applicationId);
    }

    /// <summary>
    /// Records the outcome once: 200 with the application; the same outcome again is 200 and changes nothing; a
    /// different outcome after one was recorded is 409. Funded and declined applications are the labelled history
    /// retraining reads, and the run report's funnel counts them.
    /// </summary>
    public static async Task<Results<Ok<ApplicationView>, ValidationProblem, ProblemHttpResult>> RecordOutcomeAsync(
        string applicationId, OutcomeRequest request, HttpContext context, IGrainFactory grains, AuditTrail audit, TimeProvider time)
    {
        var errors = new Dictionary<string, string[]>();
        if (!ApiValidation.IsValidId(applicationId))
        {
            errors["applicationId"] = [$"An application id is {ApiValidation.IdRule}."];
        }

        switch (request.Outcome)
        {
            case ApplicationStatuses.Funded:
                if (request.Amount is not > 0 or > 100_000_000m)
                {
                    errors["amount"] = ["A funded loan's amount is more than 0 and at most 100,000,000."];
                }

                if (request.FundedOn is null)
                {
                    errors["fundedOn"] = ["A funded loan needs the date it was funded (yyyy-mm-dd)."];
                }

                if (request.Reasons is { Count: > 0 })
                {
                    errors["reasons"] = ["Reasons belong to a declined application."];
                }

                break;
            case ApplicationStatuses.Declined:
                if (request.Reasons is not { Count: > 0 and <= MaxDeclineReasons } reasons || reasons.Any(reason => string.IsNullOrWhiteSpace(reason) || reason.Length > MaxReasonLength))
                {
                    errors["reasons"] = [$"A declined application needs 1 to {MaxDeclineReasons} reasons of 1 to {MaxReasonLength} characters."];
                }

                if (request.Amount is not null || request.FundedOn is not null)
                {
                    errors[request.Amount is not null ? "amount" : "fundedOn"] = ["The amount and funding date belong to a funded loan."];
                }

                break;
            default:
                errors["outcome"] = [$"outcome is '{ApplicationStatuses.Funded}' or '{ApplicationStatuses.Declined}'."];
                break;
        }

        if (errors.Count > 0)
        {
            return ApiValidation.Invalid(errors);
        }

        var outcome = new ApplicationOutcome(request.Outcome!, request.Amount, request.FundedOn, request.Reasons ?? [], time.GetUtcNow());
        var application = await grains.GetGrain<IApplicationGrain>(applicationId).Get();
        if (application is not null && request.Amount > application.Offer.Amount)
        {
            return ApiValidation.Invalid("amount", $"The funded amount may not exceed the offer's {application.Offer.Amount:0.##}.");
        }

        var (result, recorded) = await grains.GetGrain<IApplicationGrain>(applicationId).RecordOutcome(outcome);
        if (result == OutcomeResult.Recorded)
        {
            await audit.AppendAsync(new AuditRecord(
                AuditActors.Of(context), AuditActions.ApplicationOutcome, applicationId,
                JsonSerializer.Serialize(new { status = ApplicationStatuses.Applied }, ApiJson.Options),
                JsonSerializer.Serialize(new { status = outcome.Outcome, amount = outcome.FundedAmount, fundedOn = outcome.FundedOn, reasons = outcome.DeclineReasons }, ApiJson.Options),
                [$"status: {ApplicationStatuses.Applied} → {outcome.Outcome}"]), CancellationToken.None);
        }

        return result switch
        {
            OutcomeResult.Recorded or OutcomeResult.AlreadyRecorded => TypedResults.Ok(ApplicationView.From(recorded!)),
            OutcomeResult.Conflict => TypedResults.Problem(
                $"Application '{applicationId}' is already {recorded!.Status}; a recorded outcome does not change.",
                statusCode: StatusCodes.Status409Conflict, title: "Outcome already recorded"),
            _ => UnknownApplication(applicationId),
        };
    }

    private static ProblemHttpResult UnknownApplication(string applicationId) => ApiValidation.NotFound($"Application '{applicationId}' is unknown to the engine.");
}
