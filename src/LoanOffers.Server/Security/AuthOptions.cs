namespace LoanOffers.Server.Security;

/// <summary>
/// How the engine validates bearer tokens (section <c>Auth</c>): the bank's identity provider outside Development
/// (its authority or metadata address, or signing keys given here), or the engine's own local key
/// (<see cref="LocalKeysOptions"/>) in Development and the demo.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>The identity provider's base address; its OpenID metadata names the issuer's signing keys.</summary>
    public string? Authority { get; set; }

    /// <summary>The OpenID metadata document, when it is not at the authority's well-known address.</summary>
    public string? MetadataAddress { get; set; }

    /// <summary>The issuer a token must name.</summary>
    public string? Issuer { get; set; }

    /// <summary>The audience a token must name: this engine.</summary>
    public string? Audience { get; set; }

    /// <summary>HMAC signing keys, base64, for an issuer that shares a symmetric key instead of publishing metadata.</summary>
    public List<string> SigningKeys { get; set; } = [];

    /// <summary>Whether the metadata must come over HTTPS; only a test identity provider on loopback turns this off.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>How much clock difference between the issuer and this engine is tolerated.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}
