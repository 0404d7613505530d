using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LoanOffers.Server.Security;

/// <summary>Signs tokens with the local key, for Development, the demo, the tests and the benchmarks.</summary>
public sealed class LocalTokenIssuer(LocalKeyRing keys, TimeProvider time)
{
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(8);

    private readonly SigningCredentials _credentials = new(SigningKey(keys), SecurityAlgorithms.HmacSha256);

    public static SymmetricSecurityKey SigningKey(LocalKeyRing keys) =>
        new(keys.GetOrCreate(LocalKeyRing.TokenSigningKey)) { KeyId = "local" };

    /// <summary>A token for <paramref name="role"/>; a customer's token names the customer as its subject.</summary>
    public string Issue(string role, string subject, TimeSpan? lifetime = null)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = LocalKeysOptions.Issuer,
            Audience = LocalKeysOptions.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + (lifetime ?? DefaultLifetime),
            Subject = new ClaimsIdentity([
                new Claim(JwtRegisteredClaimNames.Sub, subject),
                new Claim(EngineClaims.Role, role),
                new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
            ]),
            SigningCredentials = _credentials,
        });
    }

    /// <summary>The subject a staff role's local token names when none is given.</summary>
    public static string DefaultSubject(string role) => "local-" + role;
}
