using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LoanOffers.Server.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace LoanOffers.Server.Tests;

/// <summary>Budgets per token subject and per client address answer 429 with Retry-After, and recover.</summary>
[Collection(ApiCollection.Name)]
public sealed class RateLimitTests(EngineApiFactory factory)
{
    [Fact]
    public async Task A_customer_over_its_read_budget_gets_429_with_retry_after_and_is_served_again_after_it()
    {
        await using var limited = factory.WithWebHostBuilder(builder => builder
            .UseSetting("RateLimits:OfferReads:PerSubject:PermitsPerSecond", "1")
            .UseSetting("RateLimits:OfferReads:PerSubject:Burst", "3")
            .UseSetting("RateLimits:AdminWrites:PerAddress:PermitsPerSecond", "1")
            .UseSetting("RateLimits:AdminWrites:PerAddress:Burst", "2"));
        using var customer = Client(limited, factory.Token(EngineRoles.Customer, "limited-customer"));
        using var otherCustomer = Client(limited, factory.Token(EngineRoles.Customer, "other-customer"));

        var answers = new List<HttpStatusCode>();
        for (var request = 0; request < 4; request++)
        {
            answers.Add((await customer.GetAsync("/api/v1/customers/limited-customer/offers")).StatusCode);
        }

        var refused = await customer.GetAsync("/api/v1/customers/limited-customer/offers");
        var other = await otherCustomer.GetAsync("/api/v1/customers/other-customer/offers");

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests], answers);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(429, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
        var wait = refused.Headers.RetryAfter?.Delta ?? throw new InvalidOperationException("No Retry-After on a 429.");
        Assert.InRange(wait, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);

        await Task.Delay(wait + TimeSpan.FromMilliseconds(200));
        Assert.Equal(HttpStatusCode.NotFound, (await customer.GetAsync("/api/v1/customers/limited-customer/offers")).StatusCode);
    }

    [Fact]
    public async Task Admin_writes_from_one_address_share_a_budget_across_subjects()
    {
        await using var limited = factory.WithWebHostBuilder(builder => builder
            .UseSetting("RateLimits:AdminWrites:PerAddress:PermitsPerSecond", "1")
            .UseSetting("RateLimits:AdminWrites:PerAddress:Burst", "2"));
        using var alice = Client(limited, factory.Token(EngineRoles.LendingAdmin, "alice"));
        using var bob = Client(limited, factory.Token(EngineRoles.LendingAdmin, "bob"));
        using var reader = Client(limited, factory.Token(EngineRoles.RiskAnalyst, "carol"));

        var first = await alice.PostAsync("/api/v1/admin/programs/not-configured/runs", null);
        var second = await bob.PostAsync("/api/v1/admin/programs/not-configured/runs", null);
        var third = await bob.PostAsync("/api/v1/admin/programs/not-configured/runs", null);
        var read = await reader.GetAsync("/api/v1/admin/programs/not-configured/runs");

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests), (first.StatusCode, second.StatusCode, third.StatusCode));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    private static HttpClient Client(WebApplicationFactory<Program> host, string token)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }
}
