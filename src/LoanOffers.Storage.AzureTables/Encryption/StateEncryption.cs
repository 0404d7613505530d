using System.Security.Cryptography;

namespace LoanOffers.Storage.AzureTables;

/// <summary>
/// AES-256-GCM over a stored state, under named keys: new writes use <see cref="ActiveKeyId"/>, rows written under an
/// older key stay readable while it is configured, and the row's own key names bind the ciphertext to that row (a
/// ciphertext copied into another customer's row does not decrypt).
/// </summary>
public sealed class StateEncryption
{
    public const int KeyBytes = 32;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    /// <summary>What encryption adds to a state's size.</summary>
    public const int Overhead = NonceBytes + TagBytes;

    private readonly IReadOnlyDictionary<string, byte[]> _keys;

    public StateEncryption(IReadOnlyDictionary<string, byte[]> keys, string activeKeyId)
    {
        if (!keys.TryGetValue(activeKeyId, out _))
        {
            throw new ArgumentException($"The active key '{activeKeyId}' is not among the keys.", nameof(activeKeyId));
        }

        if (keys.FirstOrDefault(key => key.Value.Length != KeyBytes) is { Key: { } wrong })
        {
            throw new ArgumentException($"Key '{wrong}' is not {KeyBytes} bytes.", nameof(keys));
        }

        _keys = keys.ToDictionary(key => key.Key, key => key.Value.ToArray(), StringComparer.Ordinal);
        ActiveKeyId = activeKeyId;
    }

    public string ActiveKeyId { get; }

    public bool Knows(string keyId) => _keys.ContainsKey(keyId);

    /// <summary>nonce | tag | ciphertext, under the active key.</summary>
    public byte[] Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var sealedBytes = new byte[Overhead + plaintext.Length];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_keys[ActiveKeyId], TagBytes);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(Overhead), sealedBytes.AsSpan(NonceBytes, TagBytes), associatedData);
        return sealedBytes;
    }

    public byte[] Decrypt(string keyId, ReadOnlySpan<byte> sealedBytes, ReadOnlySpan<byte> associatedData)
    {
        if (!_keys.TryGetValue(keyId, out var key))
        {
            throw new StateDecryptionException($"The row is encrypted under key '{keyId}', which this engine is not configured with.");
        }

        if (sealedBytes.Length < Overhead)
        {
            throw new StateDecryptionException($"The row's encrypted state is {sealedBytes.Length} bytes, shorter than a nonce and tag.");
        }

        var plaintext = new byte[sealedBytes.Length - Overhead];
        using var aes = new AesGcm(key, TagBytes);
        try
        {
            aes.Decrypt(sealedBytes[..NonceBytes], sealedBytes[Overhead..], sealedBytes.Slice(NonceBytes, TagBytes), plaintext, associatedData);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new StateDecryptionException($"The row's encrypted state does not authenticate under key '{keyId}': it was altered or belongs to another row.");
        }

        return plaintext;
    }
}

/// <summary>A stored state that cannot be decrypted: its key is not configured, or the row was altered.</summary>
public sealed class StateDecryptionException(string message) : Exception(message);
