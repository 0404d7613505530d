using System.Security.Cryptography;
using System.Text;
using LoanOffers.Abstractions;
using LoanOffers.Delivery.Tracking;
using LoanOffers.Server.Security;
using LoanOffers.Storage.AzureTables;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoanOffers.Server.Apis;

/// <summary>
/// The links in customers' messages. They need no sign-in: the signed link is the credential, good for its one
/// customer, message and offer only (<see cref="TrackingLinks"/>). Opening and clicking are recorded once however often
/// they come; unsubscribing and opting out of prescreened offers change the customer only when the form is posted
/// (as a mail client's one-click unsubscribe does), so a link scanner fetching the page changes nothing.
/// </summary>
public static class TrackingApi
{
    private static readonly byte[] Pixel = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    public static IEndpointRouteBuilder MapTrackingApi(this IEndpointRouteBuilder app)
    {
        var links = app.MapGroup("/t/{token}").WithTags("Tracking").AllowAnonymous().RequireRateLimiting(EngineRateLimits.TrackingLinks)
            .WithBodyLimit(ApiLimits.MaxCommandBytes).ExcludeFromDescription();
        links.MapGet("/" + TrackingLinks.Open, OpenAsync).WithName("TrackOpen");
        links.MapGet("/" + TrackingLinks.Click, ClickAsync).WithName("TrackClick");
        links.MapGet("/" + TrackingLinks.Unsubscribe, (string token, TrackingLinks signer) => ConfirmPage(token, signer, "Unsubscribe from offer messages", "Unsubscribe"))
            .WithName("UnsubscribePage");
        links.MapPost("/" + TrackingLinks.Unsubscribe, (string token, HttpContext context, TrackingLinks signer, IGrainFactory grains, AuditTrail audit, TimeProvider time) =>
            OptOutAsync(token, context, signer, grains, audit, time, CustomerEventKinds.ChannelOptOut, "You will get no more offer messages on this channel."))
            .WithName("Unsubscribe");
        links.MapGet("/" + TrackingLinks.PrescreenOptOut, (string token, TrackingLinks signer) => ConfirmPage(token, signer, "Opt out of prescreened offers", "Opt out"))
            .WithName("PrescreenOptOutPage");
        links.MapPost("/" + TrackingLinks.PrescreenOptOut, (string token, HttpContext context, TrackingLinks signer, IGrainFactory grains, AuditTrail audit, TimeProvider time) =>
            OptOutAsync(token, context, signer, grains, audit, time, CustomerEventKinds.PrescreenOptOut, "We will make you no more prescreened offers of credit."))
            .WithName("PrescreenOptOut");
        return app;
    }

    /// <summary>The email's open pixel: records the open and answers a transparent 1x1 GIF.</summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> OpenAsync(string token, HttpContext context, TrackingLinks signer, IGrainFactory grains, TimeProvider time)
    {
        if (signer.Read(token) is not { } target)
        {
            return UnknownLink();
        }

        await grains.GetGrain<ICustomerGrain>(target.CustomerId).RecordEngagement(Engagement(target, EngagementStages.Opened, time));
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.File(Pixel, "image/gif");
    }

    /// <summary>A click: records it and sends the customer on to the offer's page.</summary>
    public static async Task<Results<RedirectHttpResult, ProblemHttpResult>> ClickAsync(string token, TrackingLinks signer, IGrainFactory grains, TimeProvider time)
    {
        if (signer.Read(token) is not { } target)
        {
            return UnknownLink();
        }

        await grains.GetGrain<ICustomerGrain>(target.CustomerId).RecordEngagement(Engagement(target, EngagementStages.Clicked, time));
        return TypedResults.Redirect(signer.OfferPage(target));
    }

    private static Results<ContentHttpResult, ProblemHttpResult> ConfirmPage(string token, TrackingLinks signer, string title, string button) =>
        signer.Read(token) is null
            ? UnknownLink()
            : TypedResults.Content(
                $"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head><body><main><h1>{title}</h1><form method="post"><button type="submit">{button}</button></form></main></body></html>""",
                "text/html", Encoding.UTF8);

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> OptOutAsync(
        string token, HttpContext context, TrackingLinks signer, IGrainFactory grains, AuditTrail audit, TimeProvider time, string kind, string done)
    {
        if (signer.Read(token) is not { } target)
        {
            return UnknownLink();
        }

        // One event per link and kind, so posting the form twice applies it once.
        var eventId = "link-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(kind + "\n" + token)))[..32];
        var result = await grains.GetGrain<ICustomerGrain>(target.CustomerId).ApplyEvent(
            new CustomerEvent(eventId, kind, time.GetUtcNow(), kind == CustomerEventKinds.ChannelOptOut ? target.Channel : null));
        if (result.Applied)
        {
            await audit.AppendAsync(new AuditRecord(
                new AuditActor("customer-link:" + target.CustomerId, "customer-link", context.Connection.RemoteIpAddress?.ToString()),
                AuditActions.TrackingOptOut, target.CustomerId, null,
                System.Text.Json.JsonSerializer.Serialize(new { kind, target.Channel, target.ProgramId, target.RunId }, ApiJson.Options), []), CancellationToken.None);
        }

        return TypedResults.Content(
            $"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Done</title></head><body><main><h1>Done</h1><p>{done}</p></main></body></html>""",
            "text/html", Encoding.UTF8);
    }

    private static Engagement Engagement(LinkTarget target, string stage, TimeProvider time) =>
        new(target.ProgramId, target.RunId, target.Channel, target.OfferId, stage, time.GetUtcNow());

    private static ProblemHttpResult UnknownLink() => ApiValidation.NotFound("This link is not one the bank sent, or it was altered.");
}
