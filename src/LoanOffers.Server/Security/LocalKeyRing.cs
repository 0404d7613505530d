using System.Security.Cryptography;

namespace LoanOffers.Server.Security;

/// <summary>
/// The engine's own secrets for local use, one file each (base64), made on first use and readable only by their owner.
/// Several engine processes of one local cluster share the folder: the first to create a key wins, the others read it.
/// </summary>
public sealed class LocalKeyRing(string directory)
{
    /// <summary>Signs the tokens of <c>token</c>, the demo and the tests.</summary>
    public const string TokenSigningKey = "token-signing";

    /// <summary>Encrypts customers' personal data at rest.</summary>
    public const string PersonalDataKey = "personal-data";

    /// <summary>Signs the links in customers' messages and hashes suppressed addresses.</summary>
    public const string DeliverySigningKey = "delivery-signing";

    /// <summary>The key id the local personal-data key carries in stored rows.</summary>
    public const string PersonalDataKeyId = "local-1";

    private const int KeyBytes = 32;

    public string Directory { get; } = Path.GetFullPath(directory);

    public byte[] GetOrCreate(string name)
    {
        var path = Path.Combine(Directory, name + ".key");
        if (File.Exists(path))
        {
            return Read(path);
        }

        System.IO.Directory.CreateDirectory(Directory);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temporary, Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes)));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        try
        {
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
        }

        return Read(path);
    }

    public static byte[]? TryDecode(string? base64)
    {
        if (string.IsNullOrWhiteSpace(base64))
        {
            return null;
        }

        var buffer = new byte[base64.Length];
        return Convert.TryFromBase64String(base64.Trim(), buffer, out var written) ? buffer[..written] : null;
    }

    private static byte[] Read(string path) =>
        TryDecode(File.ReadAllText(path)) is { Length: KeyBytes } key
            ? key
            : throw new InvalidOperationException($"The local key file {path} is damaged: delete it and the engine makes a new one (tokens and data it protected become unreadable).");
}
