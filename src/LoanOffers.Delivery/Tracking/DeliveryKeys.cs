using System.Security.Cryptography;
using System.Text;

namespace LoanOffers.Delivery.Tracking;

/// <summary>
/// The keys delivery signs and hashes with, each derived from the one secret <c>Delivery:SigningKey</c> for its own
/// purpose, so a tracking link's signature can never be mistaken for an address hash.
/// </summary>
public sealed class DeliveryKeys
{
    public const int MinimumSecretBytes = 32;

    public DeliveryKeys(byte[] secret)
    {
        if (secret.Length < MinimumSecretBytes)
        {
            throw new ArgumentException($"The delivery signing key must be at least {MinimumSecretBytes} bytes.", nameof(secret));
        }

        LinkKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, salt: [], info: Encoding.UTF8.GetBytes("loanoffers/tracking-links"));
        AddressKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, salt: [], info: Encoding.UTF8.GetBytes("loanoffers/suppressed-addresses"));
    }

    /// <summary>Signs tracking, unsubscribe and opt-out links.</summary>
    public byte[] LinkKey { get; }

    /// <summary>Hashes the addresses on the suppression list.</summary>
    public byte[] AddressKey { get; }
}
