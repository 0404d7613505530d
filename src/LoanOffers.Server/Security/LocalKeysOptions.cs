namespace LoanOffers.Server.Security;

/// <summary>
/// Keys the engine makes for itself on first start and keeps in a git-ignored folder (section <c>LocalKeys</c>): the
/// token signing key and the personal-data encryption key of Development and the demo. A bank's deployment leaves this
/// off and configures <see cref="AuthOptions"/> and the encryption keys instead.
/// </summary>
public sealed class LocalKeysOptions
{
    public const string Section = "LocalKeys";

    public bool Enabled { get; set; }

    /// <summary>Where the keys are kept; by default <c>azurite/keys</c> beside the local Azurite's data.</summary>
    public string? Directory { get; set; }

    /// <summary>The issuer and audience of the tokens the local key signs.</summary>
    public const string Issuer = "loanoffers-local";

    public const string Audience = "loanoffers-api";
}
