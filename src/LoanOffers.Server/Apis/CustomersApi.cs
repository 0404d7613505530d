using System.Security.Claims;
using System.Text.Json;
using LoanOffers.Abstractions;
using LoanOffers.Domain;
using LoanOffers.Storage.AzureTables;
using LoanOffers.Grains;
using LoanOffers.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoanOffers.Server.Apis;

/// <summary>An acceptance, optionally with the values the lender verified at application.</summary>
public sealed record AcceptRequest(VerifiedValues? Verified);

/// <summary>An application as the API shows it: the accepted offer's terms and the outcome, not the bank's figures behind them.</summary>
public sealed record ApplicationView(
    string ApplicationId, string CustomerId, string ProgramId, string Status, DateTimeOffset AppliedAt, CustomerOfferTerms Terms, ApplicationOutcome? Outcome)
{
    public static ApplicationView From(LoanApplication application) => new(
        application.ApplicationId, application.CustomerId, application.ProgramId, application.Status, application.AppliedAt,
        CustomerOfferTerms.From(application.Offer), application.Outcome);
}

/// <summary>One change to a customer: <c>eventId</c> makes it apply once; the other fields belong to their kinds.</summary>
public sealed record CustomerEventRequest(string? EventId, string? Kind, string? Channel, decimal? AnnualIncome, int? Score, string? State, string? OfferId = null);

/// <summary>Client apps: a customer's ranked offers, served from grain state.</summary>
public static class CustomersApi
{
    public static IEndpointRouteBuilder MapCustomersApi(this IEndpointRouteBuilder app)
    {
        var customers = app.MapGroup("/api/v1/customers").WithTags("Customers").RequireAuthorization(EnginePolicies.Offers)
            .RequireRateLimiting(EngineRateLimits.OfferReads).WithBodyLimit(ApiLimits.NoBody);
        customers.MapGet("/{customerId}/offers", GetOffersAsync).WithName("GetCustomerOffers").Produces<CustomerOffers>();
        customers.MapGet("/{customerId}/banners", GetBannersAsync).WithName("GetCustomerBanners");
        customers.MapPost("/{customerId}/offers/{offerId}/accept", AcceptAsync).WithName("AcceptOffer").WithBodyLimit(ApiLimits.MaxCommandBytes);
        customers.MapPost("/{customerId}/events", PostEventAsync).WithName("PostCustomerEvent").WithBodyLimit(ApiLimits.MaxCommandBytes);
        return app;
    }

    /// <summary>
    /// 1-click apply. 201 with the application (the same one when asked again); 409 with an adverse-action notice
    /// naming up to four principal reasons when the customer no longer meets the criteria the offer was made on (the
    /// offer is then withdrawn); 410 for an expired or withdrawn offer.
    /// </summary>
    public static async Task<Results<Created<ApplicationView>, ValidationProblem, ProblemHttpResult>> AcceptAsync(
        string customerId, string offerId, AcceptRequest? request, HttpContext context, IGrainFactory grains, AuditTrail audit, TimeProvider time)
    {
        var errors = new Dictionary<string, string[]>();
        if (!ApiValidation.IsValidId(customerId))
        {
            errors["customerId"] = [$"A customer id is {ApiValidation.IdRule}."];
        }

        if (!ApiValidation.IsValidId(offerId))
        {
            errors["offerId"] = [$"An offer id is {ApiValidation.IdRule}."];
        }

        if (request?.Verified is { } verified)
        {
            if (verified.CreditScore is { } score && score is < CustomerProfileValidator.MinCreditScore or > CustomerProfileValidator.MaxCreditScore)
            {
                errors["verified.creditScore"] = [$"creditScore is from {CustomerProfileValidator.MinCreditScore} to {CustomerProfileValidator.MaxCreditScore}."];
            }

            if (verified.AnnualIncome is < 0 or > 100_000_000m)
            {
                errors["verified.annualIncome"] = ["annualIncome is from 0 to 100,000,000."];
            }

            if (verified.DebtToIncome is < 0 or > CustomerProfileValidator.MaxDebtToIncome)
            {
                errors["verified.debtToIncome"] = [$"debtToIncome is a ratio from 0 to {CustomerProfileValidator.MaxDebtToIncome}."];
            }
        }

        if (errors.Count > 0)
        {
            return ApiValidation.Invalid(errors);
        }

        if (!EngineClaims.MayActFor(context.User, customerId))
        {
            return ApiValidation.UnknownCustomer(customerId);
        }

        var result = await grains.GetGrain<ICustomerGrain>(customerId).Accept(new AcceptOffer(offerId, request?.Verified, time.GetUtcNow()));
        if (result.Outcome is AcceptanceOutcome.Applied or AcceptanceOutcome.CriteriaNotMet)
        {
            await audit.AppendAsync(new AuditRecord(
                AuditActors.Of(context), AuditActions.OfferAccepted, $"{customerId}/{offerId}", null,
                JsonSerializer.Serialize(new { outcome = result.Outcome.ToString(), result.Application?.ApplicationId, reasons = result.Reasons.Select(reason => reason.Code) }, ApiJson.Options), []),
                CancellationToken.None);
        }

        return result.Outcome switch
        {
            AcceptanceOutcome.Applied => TypedResults.Created($"/api/v1/applications/{result.Application!.ApplicationId}", ApplicationView.From(result.Application)),
            AcceptanceOutcome.CriteriaNotMet => TypedResults.Problem(
                "The customer no longer meets the criteria this firm offer was made on, so the offer is withdrawn.",
                statusCode: StatusCodes.Status409Conflict,
                title: "Offer withdrawn: criteria not met",
                extensions: new Dictionary<string, object?>
                {
                    ["adverseActionNotice"] = new
                    {
                        principalReasons = result.Reasons,
                        notice = AdverseActionNotice,
                    },
                }),
            AcceptanceOutcome.Gone => TypedResults.Problem($"Offer '{offerId}' has expired or was withdrawn.", statusCode: StatusCodes.Status410Gone, title: "Offer gone"),
            _ => ApiValidation.NotFound($"Customer '{customerId}' has no offer '{offerId}'."),
        };
    }

    /// <summary>The ECOA statement an adverse-action notice carries.</summary>
    public const string AdverseActionNotice =
        "The federal Equal Credit Opportunity Act prohibits creditors from discriminating against credit applicants on the basis of race, color, religion, national origin, sex, marital status, age (provided the applicant has the capacity to contract); because all or part of the applicant's income derives from any public assistance program; or because the applicant has in good faith exercised any right under the Consumer Credit Protection Act.";

    /// <summary>
    /// Applies one event to a customer and withdraws, at once, any live offer the customer no longer meets on the
    /// criteria it was made on. The bank's back end sends any kind; a customer's app only its own consent (opt-out,
    /// opt-in) and its responses to its offers (viewed, clicked, declined) for itself.
    /// </summary>
    public static async Task<Results<Ok<CustomerEventResult>, ValidationProblem, ProblemHttpResult>> PostEventAsync(
        string customerId, CustomerEventRequest request, HttpContext context, IGrainFactory grains, AuditTrail audit, TimeProvider time)
    {
        var errors = new Dictionary<string, string[]>();
        if (!ApiValidation.IsValidId(customerId))
        {
            errors["customerId"] = [$"A customer id is {ApiValidation.IdRule}."];
        }

        foreach (var (field, messages) in ValidateEvent(request))
        {
            errors[field] = messages;
        }

        if (errors.Count > 0)
        {
            return ApiValidation.Invalid(errors);
        }

        if (!EngineClaims.MayActFor(context.User, customerId))
        {
            return ApiValidation.UnknownCustomer(customerId);
        }

        if (EngineClaims.SeesCustomerView(context.User) && !CustomerEventKinds.FromCustomerApp.Contains(request.Kind!))
        {
            return TypedResults.Problem(
                $"A customer's app may send only {string.Join(", ", CustomerEventKinds.FromCustomerApp)}.", statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
        }

        var customerEvent = new CustomerEvent(request.EventId!, request.Kind!, time.GetUtcNow(), request.Channel, request.AnnualIncome, request.Score, request.State, request.OfferId);
        var result = await grains.GetGrain<ICustomerGrain>(customerId).ApplyEvent(customerEvent);
        if (!result.Known)
        {
            return ApiValidation.UnknownCustomer(customerId);
        }

        if (result.Applied)
        {
            // What changed is named, not its values: the audit trail holds no personal data.
            await audit.AppendAsync(new AuditRecord(
                AuditActors.Of(context), AuditActions.CustomerEvent, customerId, null,
                JsonSerializer.Serialize(new { result.EventId, request.Kind, request.Channel, result.Withdrawn }, ApiJson.Options), []), CancellationToken.None);
        }

        return TypedResults.Ok(result);
    }

    /// <summary>Every problem with one event, by field; empty when it can be applied.</summary>
    public static Dictionary<string, string[]> ValidateEvent(CustomerEventRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (!ApiValidation.IsValidId(request.EventId))
        {
            errors["eventId"] = [$"eventId is required: {ApiValidation.IdRule}."];
        }

        if (request.Kind is null || !CustomerEventKinds.All.Contains(request.Kind))
        {
            errors["kind"] = [$"kind must be one of {string.Join(", ", CustomerEventKinds.All)}."];
        }
        else if (request.Kind == CustomerEventKinds.ChannelOptOut && (request.Channel is null || !CustomerEventKinds.Channels.Contains(request.Channel)))
        {
            errors["channel"] = [$"A channel-opt-out names its channel: {string.Join(", ", CustomerEventKinds.Channels)}."];
        }
        else if (request.Kind == CustomerEventKinds.OptIn && request.Channel is not null && !CustomerEventKinds.Channels.Contains(request.Channel))
        {
            errors["channel"] = [$"An opt-in names no channel (prescreened offers) or one of {string.Join(", ", CustomerEventKinds.Channels)}."];
        }
        else if (request.Kind == CustomerEventKinds.IncomeChanged && request.AnnualIncome is not (>= 0 and <= 100_000_000m))
        {
            errors["annualIncome"] = ["An income-changed event carries annualIncome, from 0 to 100,000,000."];
        }
        else if (request.Kind == CustomerEventKinds.CreditScoreChanged && request.Score is not (>= CustomerProfileValidator.MinCreditScore and <= CustomerProfileValidator.MaxCreditScore))
        {
            errors["score"] = [$"A credit-score-changed event carries score, from {CustomerProfileValidator.MinCreditScore} to {CustomerProfileValidator.MaxCreditScore}."];
        }
        else if (request.Kind == CustomerEventKinds.AddressChanged
            && !(request.State is { Length: 2 } code && char.IsAsciiLetterUpper(code[0]) && char.IsAsciiLetterUpper(code[1])))
        {
            errors["state"] = ["An address-changed event carries state, a two-letter upper-case code."];
        }
        else if (CustomerEventKinds.OfferResponses.Contains(request.Kind) && !ApiValidation.IsValidId(request.OfferId))
        {
            errors["offerId"] = [$"An {request.Kind} event names the offer: offerId is {ApiValidation.IdRule}."];
        }

        return errors;
    }

    /// <summary>
    /// The grain keeps its answer serialized and publishes it on its silo, so this path is a dictionary read (or, for
    /// a customer active elsewhere or not yet asked for, one grain call) and a copy to the socket. A
    /// customer's token asking about anyone else gets the unknown customer's answer, so ids cannot be probed.
    /// </summary>
    /// <summary>The customer's live in-app banners at <c>placement</c> (e.g. <c>dashboard</c>), as the programs' in-app channels define them.</summary>
    public static async Task<Results<Ok<CustomerBanners>, ValidationProblem, ProblemHttpResult>> GetBannersAsync(
        string customerId, string? placement, ClaimsPrincipal user, IGrainFactory grains)
    {
        var errors = new Dictionary<string, string[]>();
        if (!ApiValidation.IsValidId(customerId))
        {
            errors["customerId"] = [$"A customer id is {ApiValidation.IdRule}."];
        }

        if (!ApiValidation.IsValidId(placement))
        {
            errors["placement"] = [$"placement (e.g. dashboard) is {ApiValidation.IdRule}."];
        }

        if (errors.Count > 0)
        {
            return ApiValidation.Invalid(errors);
        }

        if (!EngineClaims.MayActFor(user, customerId))
        {
            return ApiValidation.UnknownCustomer(customerId);
        }

        return await grains.GetGrain<ICustomerGrain>(customerId).GetBanners(placement!) is { } banners
            ? TypedResults.Ok(banners)
            : ApiValidation.UnknownCustomer(customerId);
    }

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
