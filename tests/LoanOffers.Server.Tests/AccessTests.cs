using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using LoanOffers.Server.Security;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LoanOffers.Server.Tests;

/// <summary>Who reaches what: every endpoint under every role, with and without a (good) token.</summary>
[Collection(ApiCollection.Name)]
public sealed class AccessTests(EngineApiFactory factory)
{
    private const string Customer = "matrix-customer";
    private static readonly string ProgramId = "matrix-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>
    /// Each endpoint with a request its handler answers in a way of its own (a 404 naming what is missing, a 400 naming
    /// the field, a 200), so an allowed role is seen to reach the handler and not just pass the gate.
    /// </summary>
    public static TheoryData<string, string, string?, HttpStatusCode, string> Endpoints() => new()
    {
        { "GET", $"/api/v1/customers/{Customer}/offers", null, HttpStatusCode.NotFound, "customer,offers-service" },
        { "GET", $"/api/v1/customers/{Customer}/banners?placement=dashboard", null, HttpStatusCode.NotFound, "customer,offers-service" },
        { "POST", $"/api/v1/customers/{Customer}/events", """{"eventId":"matrix-1","kind":"prescreen-opt-out"}""", HttpStatusCode.NotFound, "customer,offers-service" },
        { "POST", $"/api/v1/customers/{Customer}/offers/OF-0000000000/accept", "{}", HttpStatusCode.NotFound, "customer,offers-service" },
        { "POST", "/api/v1/offers", $$"""{"userId":"{{Customer}}","programId":"{{ProgramId}}"}""", HttpStatusCode.NotFound, "customer,offers-service" },
        { "PUT", $"/api/v1/admin/programs/{ProgramId}", "{}", HttpStatusCode.BadRequest, "lending-admin" },
        { "GET", $"/api/v1/admin/programs/{ProgramId}", null, HttpStatusCode.NotFound, "lending-admin,risk-analyst" },
        { "GET", $"/api/v1/admin/programs/{ProgramId}/versions", null, HttpStatusCode.NotFound, "lending-admin,risk-analyst" },
        { "GET", $"/api/v1/admin/programs/{ProgramId}/versions/1", null, HttpStatusCode.NotFound, "lending-admin,risk-analyst" },
        { "GET", $"/api/v1/admin/programs/{ProgramId}/versions/2/diff", null, HttpStatusCode.NotFound, "lending-admin,risk-analyst" },
        { "POST", $"/api/v1/admin/programs/{ProgramId}/runs", null, HttpStatusCode.NotFound, "lending-admin" },
        { "GET", $"/api/v1/admin/programs/{ProgramId}/runs", null, HttpStatusCode.OK, "lending-admin,risk-analyst" },
        { "GET", $"/api/v1/admin/programs/{ProgramId}/runs/no-such-run", null, HttpStatusCode.NotFound, "lending-admin,risk-analyst" },
        { "GET", $"/api/v1/admin/programs/{ProgramId}/candidates?tier=excellent", null, HttpStatusCode.NotFound, "lending-admin,risk-analyst" },
        { "GET", $"/api/v1/admin/programs/{ProgramId}/runs/no-such-run/campaign", null, HttpStatusCode.NotFound, "lending-admin,risk-analyst" },
        { "POST", $"/api/v1/admin/programs/{ProgramId}/runs/no-such-run/campaign", """{"sendNow":true}""", HttpStatusCode.NotFound, "lending-admin" },
        { "POST", $"/api/v1/admin/programs/{ProgramId}/runs/no-such-run/campaign:pause", null, HttpStatusCode.NotFound, "lending-admin" },
        { "POST", $"/api/v1/admin/programs/{ProgramId}/runs/no-such-run/campaign:resume", null, HttpStatusCode.NotFound, "lending-admin" },
        { "GET", "/api/v1/admin/models", null, HttpStatusCode.OK, "model-ops,risk-analyst" },
        { "POST", "/api/v1/admin/events:batch", "{}", HttpStatusCode.UnsupportedMediaType, "lending-admin" },
        { "POST", "/api/v1/admin/models/no-such-model/retrain", """{"outcomesPath":"outcomes.csv"}""", HttpStatusCode.NotFound, "model-ops" },
        { "POST", "/api/v1/admin/models/no-such-model/rollback", null, HttpStatusCode.NotFound, "model-ops" },
        { "GET", "/api/v1/admin/audit?limit=1", null, HttpStatusCode.OK, "lending-admin,risk-analyst" },
        { "GET", "/api/v1/applications/AP-none", null, HttpStatusCode.NotFound, "customer,offers-service,lending-admin,risk-analyst" },
        { "POST", "/api/v1/applications/AP-none/outcome", """{"outcome":"funded","amount":1000,"fundedOn":"2026-12-01"}""", HttpStatusCode.NotFound, "lending-admin" },
        { "GET", $"/api/v1/admin/customers/{Customer}/decisions", null, HttpStatusCode.NotFound, "lending-admin,risk-analyst" },
        { "GET", $"/api/v1/admin/customers/{Customer}/records", null, HttpStatusCode.OK, "lending-admin,risk-analyst" },
        { "GET", $"/api/v1/admin/programs/{ProgramId}/runs/no-such-run/funnel", null, HttpStatusCode.NotFound, "lending-admin,risk-analyst" },
        { "GET", "/api/v1/admin/suppressions/email", null, HttpStatusCode.OK, "lending-admin,risk-analyst" },
        { "POST", "/api/v1/admin/suppressions", """{"channel":"email","address":"complained@example.com","reason":"complaint"}""", HttpStatusCode.Created, "lending-admin" },
        { "POST", "/api/v1/admin/suppressions:remove", """{"channel":"sms","address":"+1 555 000 1234"}""", HttpStatusCode.NotFound, "lending-admin" },
        { "GET", "/api/v1/admin/programs", null, HttpStatusCode.OK, "lending-admin,risk-analyst" },
        { "GET", "/api/v1/admin/session", null, HttpStatusCode.OK, "lending-admin,risk-analyst,model-ops,operations" },
        { "GET", "/api/v1/admin/reports/daily", null, HttpStatusCode.OK, "lending-admin,risk-analyst" },
        { "GET", "/api/v1/admin/reports/daily/2001-01-01", null, HttpStatusCode.NotFound, "lending-admin,risk-analyst" },
        { "GET", "/api/v1/admin/reports/totals/2001-01-01", null, HttpStatusCode.NotFound, "lending-admin,risk-analyst" },
        { "POST", "/api/v1/admin/reports", """{"kind":"weekly"}""", HttpStatusCode.BadRequest, "lending-admin" },
        { "POST", "/api/v1/admin/session/dashboard", null, HttpStatusCode.NoContent, "operations,lending-admin,risk-analyst,model-ops" },
        { "GET", "/metrics", null, HttpStatusCode.OK, "operations,lending-admin,risk-analyst,model-ops" },
        { "GET", "/openapi/v1.json", null, HttpStatusCode.OK, string.Join(",", EngineRoles.All) },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Every_role_reaches_only_what_it_may_and_anonymous_callers_none(string method, string path, string? body, HttpStatusCode handled, string allowed)
    {
        var allowedRoles = allowed.Split(',');
        foreach (var role in EngineRoles.All)
        {
            using var response = await SendAsync(method, path, body, factory.Token(role, role == EngineRoles.Customer ? Customer : null));
            var expected = allowedRoles.Contains(role) ? handled : HttpStatusCode.Forbidden;
            Assert.True(expected == response.StatusCode, $"{role} {method} {path}: {(int)response.StatusCode}, expected {(int)expected}");
        }

        using var anonymous = await SendAsync(method, path, body, token: null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains(anonymous.Headers.WwwAuthenticate, challenge => challenge.Scheme == "Bearer");
        using var garbage = await SendAsync(method, path, body, "not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, garbage.StatusCode);
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task Health_needs_no_token(string path)
    {
        using var response = await SendAsync("GET", path, null, token: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static TheoryData<string> BadTokens() => ["expired", "not-yet-valid", "wrong-issuer", "wrong-audience", "unsigned", "tampered", "foreign-key", "no-expiry"];

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_token_that_is_not_exactly_right_is_refused(string kind)
    {
        var token = BadToken(kind);

        using var response = await SendAsync("GET", "/api/v1/admin/models", null, token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_same_request_with_a_good_token_is_allowed()
    {
        using var response = await SendAsync("GET", "/api/v1/admin/models", null, Sign(Descriptor(EngineRoles.ModelOps)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private string BadToken(string kind)
    {
        var now = DateTime.UtcNow;
        return kind switch
        {
            "expired" => Sign(Descriptor(EngineRoles.ModelOps, d => { d.NotBefore = now.AddHours(-2); d.IssuedAt = now.AddHours(-2); d.Expires = now.AddMinutes(-5); })),
            "not-yet-valid" => Sign(Descriptor(EngineRoles.ModelOps, d => { d.NotBefore = now.AddMinutes(10); d.Expires = now.AddHours(1); })),
            "wrong-issuer" => Sign(Descriptor(EngineRoles.ModelOps, d => d.Issuer = "someone-else")),
            "wrong-audience" => Sign(Descriptor(EngineRoles.ModelOps, d => d.Audience = "another-api")),
            "foreign-key" => Sign(Descriptor(EngineRoles.ModelOps, d => d.SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) { KeyId = "local" }, SecurityAlgorithms.HmacSha256))),
            "no-expiry" => Unsigned(new { sub = "x", role = EngineRoles.ModelOps, iss = LocalKeysOptions.Issuer, aud = LocalKeysOptions.Audience }, signWithLocalKey: true),
            "unsigned" => Unsigned(new
            {
                sub = "x", role = EngineRoles.ModelOps, iss = LocalKeysOptions.Issuer, aud = LocalKeysOptions.Audience,
                exp = new DateTimeOffset(now.AddHours(1)).ToUnixTimeSeconds(), nbf = new DateTimeOffset(now).ToUnixTimeSeconds(),
            }, signWithLocalKey: false),
            "tampered" => Tamper(factory.Token(EngineRoles.Customer, "someone")),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    private SecurityTokenDescriptor Descriptor(string role, Action<SecurityTokenDescriptor>? change = null)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = LocalKeysOptions.Issuer,
            Audience = LocalKeysOptions.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(10),
            Subject = new ClaimsIdentity([new Claim("sub", "matrix-" + role), new Claim("role", role)]),
            SigningCredentials = new SigningCredentials(LocalTokenIssuer.SigningKey(new LocalKeyRing(factory.KeyDirectory)), SecurityAlgorithms.HmacSha256),
        };
        change?.Invoke(descriptor);
        return descriptor;
    }

    private static string Sign(SecurityTokenDescriptor descriptor) => new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);

    /// <summary>A token with <c>alg: none</c> and no signature, or one HMAC-signed by hand over exactly the given claims.</summary>
    private string Unsigned(object claims, bool signWithLocalKey)
    {
        var header = Base64UrlEncoder.Encode(signWithLocalKey ? """{"alg":"HS256","typ":"JWT","kid":"local"}""" : """{"alg":"none","typ":"JWT"}""");
        var payload = Base64UrlEncoder.Encode(JsonSerializer.Serialize(claims));
        if (!signWithLocalKey)
        {
            return $"{header}.{payload}.";
        }

        using var hmac = new System.Security.Cryptography.HMACSHA256(new LocalKeyRing(factory.KeyDirectory).GetOrCreate(LocalKeyRing.TokenSigningKey));
        return $"{header}.{payload}.{Base64UrlEncoder.Encode(hmac.ComputeHash(Encoding.ASCII.GetBytes($"{header}.{payload}")))}";
    }

    /// <summary>A customer's genuine token with its role raised to lending-admin, signature kept.</summary>
    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var claims = Base64UrlEncoder.Decode(parts[1]).Replace($"\"role\":\"{EngineRoles.Customer}\"", $"\"role\":\"{EngineRoles.ModelOps}\"", StringComparison.Ordinal);
        Assert.Contains(EngineRoles.ModelOps, claims);
        return $"{parts[0]}.{Base64UrlEncoder.Encode(claims)}.{parts[2]}";
    }

    private async Task<HttpResponseMessage> SendAsync(string method, string path, string? body, string? token)
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }
}
