namespace LoanOffers.Storage.AzureTables;

/// <summary>
/// The keys that encrypt customers' stored state (section <c>Encryption</c>): base64 AES-256 keys by id, from
/// configuration or the environment (a key vault in a bank's deployment), never from the repository. Rotating adds a
/// key, makes it active, and runs <c>rotate-keys</c>; the old key stays listed until no row uses it.
/// </summary>
public sealed class StateEncryptionOptions
{
    public const string Section = "Encryption";

    public string? ActiveKeyId { get; set; }

    public Dictionary<string, string> Keys { get; set; } = [];

    public StateEncryption Create() => new(
        Keys.ToDictionary(key => key.Key, key => Convert.FromBase64String(key.Value), StringComparer.Ordinal),
        ActiveKeyId ?? throw new InvalidOperationException("Encryption:ActiveKeyId is not set."));
}
