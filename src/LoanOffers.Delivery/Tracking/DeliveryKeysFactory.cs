using Microsoft.Extensions.Options;

namespace LoanOffers.Delivery.Tracking;

/// <summary>Reads <see cref="DeliveryKeys"/> from <c>Delivery:SigningKey</c>.</summary>
public static class DeliveryKeysFactory
{
    public static DeliveryKeys Create(IOptions<DeliveryOptions> options) =>
        new(TryDecode(options.Value.SigningKey) ?? throw new InvalidOperationException($"{DeliveryOptions.Section}:SigningKey is not set."));

    public static byte[]? TryDecode(string? base64)
    {
        if (string.IsNullOrWhiteSpace(base64))
        {
            return null;
        }

        var buffer = new byte[base64.Length];
        return Convert.TryFromBase64String(base64.Trim(), buffer, out var written) ? buffer[..written] : null;
    }
}
