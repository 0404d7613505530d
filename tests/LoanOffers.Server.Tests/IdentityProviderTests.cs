using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using LoanOffers.Server.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LoanOffers.Server.Tests;

/// <summary>Outside local use the engine trusts only the bank's identity provider, as configured.</summary>
[Collection(ApiCollection.Name)]
public sealed class IdentityProviderTests(EngineApiFactory factory)
{
    private const string Issuer = "https://login.bank.example/";
    private const string Audience = "loanoffers-api";
    private static readonly byte[] ProviderKey = Enumerable.Range(40, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public async Task Tokens_of_the_configured_provider_are_accepted_and_the_local_keys_are_not()
    {
        await using var bank = factory.WithWebHostBuilder(builder => builder
            .UseSetting("LocalKeys:Enabled", "false")
            .UseSetting("Auth:Issuer", Issuer)
            .UseSetting("Auth:Audience", Audience)
            .UseSetting("Auth:SigningKeys:0", Convert.ToBase64String(ProviderKey))
            .UseSetting("Encryption:ActiveKeyId", "bank-1")
            .UseSetting("Encryption:Keys:bank-1", Convert.ToBase64String(new byte[32]))
            .UseSetting("Delivery:SigningKey", Convert.ToBase64String(new byte[32])));
        using var client = bank.CreateClient();

        var provider = await SendAsync(client, ProviderToken(EngineRoles.ModelOps, Issuer));
        var otherIssuer = await SendAsync(client, ProviderToken(EngineRoles.ModelOps, "https://elsewhere.example/"));
        var local = await SendAsync(client, factory.Token(EngineRoles.ModelOps));

        Assert.Equal(HttpStatusCode.OK, provider);
        Assert.Equal(HttpStatusCode.Unauthorized, otherIssuer);
        Assert.Equal(HttpStatusCode.Unauthorized, local);
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/admin/models") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        return (await client.SendAsync(request)).StatusCode;
    }

    private static string ProviderToken(string role, string issuer) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = issuer,
        Audience = Audience,
        Expires = DateTime.UtcNow.AddMinutes(10),
        Subject = new ClaimsIdentity([new Claim("sub", "analyst@bank.example"), new Claim("role", role)]),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(ProviderKey), SecurityAlgorithms.HmacSha256),
    });
}
