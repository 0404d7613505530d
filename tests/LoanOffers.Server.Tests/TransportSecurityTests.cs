using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LoanOffers.Server.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace LoanOffers.Server.Tests;

/// <summary>HTTPS outside Development, security headers on every answer, and the bearer scheme in the OpenAPI document.</summary>
[Collection(ApiCollection.Name)]
public sealed class TransportSecurityTests(EngineApiFactory factory)
{
    [Fact]
    public async Task Every_answer_carries_the_security_headers_even_a_refusal()
    {
        using var anonymous = factory.CreateClient();

        foreach (var response in new[] { await anonymous.GetAsync("/healthz"), await anonymous.GetAsync("/api/v1/admin/models") })
        {
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.True(response.Headers.CacheControl?.NoStore);
        }
    }

    [Fact]
    public async Task Outside_development_plain_http_is_redirected_and_https_answers_carry_hsts()
    {
        await using var production = factory.WithWebHostBuilder(builder => builder.UseSetting("https_port", "443"));
        using var plain = production.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://engine.bank.example"), AllowAutoRedirect = false });
        using var secure = production.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://engine.bank.example") });

        var redirected = await plain.GetAsync("/healthz");
        var answered = await secure.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.TemporaryRedirect, redirected.StatusCode);
        Assert.Equal("https://engine.bank.example/healthz", redirected.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.StartsWith("max-age=", answered.Headers.GetValues("Strict-Transport-Security").Single());
    }

    [Fact]
    public async Task The_openapi_document_declares_the_bearer_scheme_for_every_operation()
    {
        using var analyst = factory.CreateClient(EngineRoles.RiskAnalyst);

        var document = await analyst.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal(("http", "bearer", "JWT"), (scheme.GetProperty("type").GetString(), scheme.GetProperty("scheme").GetString(), scheme.GetProperty("bearerFormat").GetString()));
        Assert.True(document.GetProperty("security")[0].TryGetProperty("Bearer", out _));
    }
}
