using System.Text.Json;
using LoanOffers.Abstractions;
using LoanOffers.Domain;
using LoanOffers.Server.Security;
using LoanOffers.Storage.AzureTables;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoanOffers.Server.Apis;

/// <summary>An address to put on, or take off, the suppression list.</summary>
public sealed record SuppressionRequest(string? Channel, string? Address, string? Reason);

/// <summary>
/// The bank-wide suppression list: email addresses and phone numbers no offer message may reach, checked by each
/// customer's contact policy as a message goes out. Addresses are kept only as keyed hashes, so the list can be read
/// (who added what, when, why) without revealing them.
/// </summary>
public static class SuppressionsApi
{
    private const int MaxAddressLength = 254;
    private const int MaxReasonLength = 200;
    private static readonly IReadOnlyList<string> Channels = [ChannelTypes.Email, ChannelTypes.Sms];

    public static IEndpointRouteBuilder MapSuppressionsApi(this IEndpointRouteBuilder app)
    {
        var suppressions = app.MapGroup("/api/v1/admin").WithTags("Delivery").RequireAuthorization(EnginePolicies.SuppressionsRead)
            .WithBodyLimit(ApiLimits.MaxCommandBytes);
        suppressions.MapGet("/suppressions/{channel}", ListAsync).WithName("ListSuppressions").WithBodyLimit(ApiLimits.NoBody);
        suppressions.MapPost("/suppressions", AddAsync).WithName("AddSuppression").RequireAuthorization(EnginePolicies.SuppressionsWrite)
            .RequireRateLimiting(EngineRateLimits.AdminWrites);
        suppressions.MapPost("/suppressions:remove", RemoveAsync).WithName("RemoveSuppression").RequireAuthorization(EnginePolicies.SuppressionsWrite)
            .RequireRateLimiting(EngineRateLimits.AdminWrites);
        return app;
    }

    public static async Task<Results<Ok<IReadOnlyList<SuppressionEntry>>, ValidationProblem>> ListAsync(
        string channel, int? limit, SuppressionList list, CancellationToken cancellationToken)
    {
        if (!Channels.Contains(channel))
        {
            return ApiValidation.Invalid("channel", $"channel is one of {string.Join(", ", Channels)}.");
        }

        if (limit is < 1 or > 1000)
        {
            return ApiValidation.Invalid("limit", "limit is from 1 to 1000.");
        }

        return TypedResults.Ok(await list.ListAsync(channel, limit ?? 100, cancellationToken));
    }

    public static async Task<Results<Created<SuppressionEntry>, ValidationProblem>> AddAsync(
        SuppressionRequest request, HttpContext context, SuppressionList list, AuditTrail audit, TimeProvider time)
    {
        if (Validate(request, reasonRequired: true) is { } invalid)
        {
            return invalid;
        }

        var actor = AuditActors.Of(context);
        var entry = await list.AddAsync(request.Channel!, request.Address!, request.Reason!, actor.Subject, time.GetUtcNow());
        await audit.AppendAsync(new AuditRecord(actor, AuditActions.SuppressionAdded, $"{entry.Channel}/{entry.AddressHash}", null,
            JsonSerializer.Serialize(new { entry.Reason }, ApiJson.Options), []), CancellationToken.None);
        return TypedResults.Created($"/api/v1/admin/suppressions/{entry.Channel}", entry);
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> RemoveAsync(
        SuppressionRequest request, HttpContext context, SuppressionList list, AuditTrail audit)
    {
        if (Validate(request, reasonRequired: false) is { } invalid)
        {
            return invalid;
        }

        var listed = await list.FindAsync(request.Channel!, request.Address!);
        if (listed is null || !await list.RemoveAsync(request.Channel!, request.Address!))
        {
            return ApiValidation.NotFound("That address is not on the suppression list.");
        }

        await audit.AppendAsync(new AuditRecord(AuditActors.Of(context), AuditActions.SuppressionRemoved, $"{listed.Channel}/{listed.AddressHash}",
            JsonSerializer.Serialize(new { listed.Reason }, ApiJson.Options), null, []), CancellationToken.None);
        return TypedResults.NoContent();
    }

    private static ValidationProblem? Validate(SuppressionRequest request, bool reasonRequired)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Channel is null || !Channels.Contains(request.Channel))
        {
            errors["channel"] = [$"channel is one of {string.Join(", ", Channels)}."];
        }

        if (request.Address is not { Length: > 0 and <= MaxAddressLength } address || string.IsNullOrWhiteSpace(address)
            || (request.Channel == ChannelTypes.Email && !address.Contains('@', StringComparison.Ordinal))
            || (request.Channel == ChannelTypes.Sms && address.Count(char.IsAsciiDigit) is < 10 or > 15))
        {
            errors["address"] = [$"address is an email address (for email) or a phone number of 10 to 15 digits (for sms), at most {MaxAddressLength} characters."];
        }

        if (reasonRequired ? request.Reason is not { Length: > 0 and <= MaxReasonLength } : request.Reason is { Length: > MaxReasonLength })
        {
            errors["reason"] = [$"reason says why, in at most {MaxReasonLength} characters."];
        }

        return errors.Count > 0 ? ApiValidation.Invalid(errors) : null;
    }
}
