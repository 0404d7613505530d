using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace LoanOffers.Delivery.Tracking;

/// <summary>What a link in a message is about: one message (program, run, customer, channel) and the offer it carried.</summary>
public sealed record LinkTarget(string ProgramId, string RunId, string CustomerId, string Channel, string OfferId);

/// <summary>
/// Links in a message that the engine answers without a sign-in: the open pixel, the click redirect to the offer
/// page, unsubscribe and prescreen opt-out. The link carries its target and an HMAC of it, so it cannot be forged or
/// pointed at another customer; using it again records nothing new.
/// </summary>
public sealed class TrackingLinks(DeliveryKeys keys, IOptions<DeliveryOptions> options)
{
    public const string Open = "open.gif";
    public const string Click = "click";
    public const string Unsubscribe = "unsubscribe";
    public const string PrescreenOptOut = "prescreen-opt-out";

    private const int SignatureBytes = 16;
    private const int MaxTokenLength = 1024;

    private readonly Uri _base = new(options.Value.LinkBaseUrl.TrimEnd('/') + "/");

    /// <summary>The link to <paramref name="action"/> for <paramref name="target"/>.</summary>
    public string For(LinkTarget target, string action) => new Uri(_base, $"t/{Token(target)}/{action}").ToString();

    /// <summary>The bank's page for the offer, where a click lands.</summary>
    public string OfferPage(LinkTarget target) =>
        new Uri(_base, $"offers/{Uri.EscapeDataString(target.CustomerId)}/{Uri.EscapeDataString(target.OfferId)}").ToString();

    public string Token(LinkTarget target)
    {
        var payload = Encoding.UTF8.GetBytes(string.Join('\n', target.ProgramId, target.RunId, target.CustomerId, target.Channel, target.OfferId));
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(Sign(payload));
    }

    /// <summary>The target of a token this engine signed; null for anything else.</summary>
    public LinkTarget? Read(string? token)
    {
        if (token is not { Length: > 0 and <= MaxTokenLength } || token.Split('.') is not [var payloadPart, var signaturePart])
        {
            return null;
        }

        var payload = new byte[Base64Url.GetMaxDecodedLength(payloadPart.Length)];
        var signature = new byte[Base64Url.GetMaxDecodedLength(signaturePart.Length)];
        if (Base64Url.DecodeFromChars(payloadPart, payload, out _, out var payloadLength) != System.Buffers.OperationStatus.Done
            || Base64Url.DecodeFromChars(signaturePart, signature, out _, out var signatureLength) != System.Buffers.OperationStatus.Done
            || !CryptographicOperations.FixedTimeEquals(Sign(payload.AsSpan(0, payloadLength)), signature.AsSpan(0, signatureLength)))
        {
            return null;
        }

        return Encoding.UTF8.GetString(payload, 0, payloadLength).Split('\n') is [var program, var run, var customer, var channel, var offer]
            ? new LinkTarget(program, run, customer, channel, offer)
            : null;
    }

    private byte[] Sign(ReadOnlySpan<byte> payload) => HMACSHA256.HashData(keys.LinkKey, payload)[..SignatureBytes];
}
