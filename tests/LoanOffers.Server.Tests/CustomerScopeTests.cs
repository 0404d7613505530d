using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LoanOffers.Abstractions;
using LoanOffers.Server.Apis;
using LoanOffers.Server.Security;

namespace LoanOffers.Server.Tests;

/// <summary>A customer's token reaches that customer only, and sees offers as a customer should.</summary>
[Collection(ApiCollection.Name)]
public sealed class CustomerScopeTests(EngineApiFactory factory) : IAsyncLifetime
{
    private const int Customers = 300;
    private static readonly string[] InternalFields = ["conversionProbability", "expectedValue", "riskImpact", "tier"];

    private readonly HttpClient _admin = factory.CreateClient(EngineRoles.LendingAdmin);
    private readonly HttpClient _bank = factory.CreateClient(EngineRoles.OffersService);
    private readonly string _programId = "scope-" + Guid.NewGuid().ToString("N")[..8];
    private List<string> _offered = [];

    public async Task InitializeAsync()
    {
        _offered = await DemoRuns.RunToEndAsync(_admin, _programId, Customers);
        Assert.True(_offered.Count >= 2, "The run offered fewer than two customers.");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_customer_reads_its_own_offers_as_terms_only()
    {
        var own = _offered[0];
        using var customer = factory.CreateClient(EngineRoles.Customer, own);

        var offers = await customer.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{own}/offers");
        var bankView = await _bank.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{own}/offers");

        var terms = offers.GetProperty("offers").EnumerateArray().ToList();
        Assert.NotEmpty(terms);
        Assert.Equal(bankView.GetProperty("offers").GetArrayLength(), terms.Count);
        Assert.All(terms, offer => Assert.DoesNotContain(InternalFields, field => offer.TryGetProperty(field, out _)));
        Assert.All(terms, offer => Assert.True(offer.GetProperty("apr").GetDecimal() > 0));
        Assert.True(bankView.GetProperty("offers")[0].TryGetProperty("expectedValue", out _), "The bank's own view keeps the internal figures.");
        Assert.False(offers.TryGetProperty("tier", out _));
        Assert.All(terms, offer => Assert.Equal(_programId, offer.GetProperty("programId").GetString()));
    }

    [Fact]
    public async Task A_customer_the_run_did_not_offer_is_told_so_in_customer_safe_words()
    {
        var rejected = await FirstRejectedAsync();
        using var customer = factory.CreateClient(EngineRoles.Customer, rejected.CustomerId);

        var offers = await customer.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{rejected.CustomerId}/offers");

        Assert.Equal(0, offers.GetProperty("offers").GetArrayLength());
        Assert.Equal(CustomerOffers.NoLiveOffers, offers.GetProperty("noOfferReason").GetString());
    }

    [Fact]
    public async Task Another_customers_offers_answer_exactly_as_an_unknown_customers()
    {
        var (own, other) = (_offered[0], _offered[1]);
        using var customer = factory.CreateClient(EngineRoles.Customer, own);
        var unknown = _programId + "-nobody";

        using var theirs = await customer.GetAsync($"/api/v1/customers/{other}/offers");
        using var nobody = await _bank.GetAsync($"/api/v1/customers/{unknown}/offers");
        using var realTime = await customer.PostAsJsonAsync("/api/v1/offers", new { userId = other, programId = _programId });
        using var realTimeNobody = await _bank.PostAsJsonAsync("/api/v1/offers", new { userId = unknown, programId = _programId });

        Assert.Equal(HttpStatusCode.NotFound, theirs.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, realTime.StatusCode);
        Assert.Equal(Shape(await nobody.Content.ReadAsStringAsync(), unknown), Shape(await theirs.Content.ReadAsStringAsync(), other));
        Assert.Equal(Shape(await realTimeNobody.Content.ReadAsStringAsync(), unknown), Shape(await realTime.Content.ReadAsStringAsync(), other));
    }

    [Fact]
    public async Task A_customer_asks_real_time_offers_for_itself_without_naming_itself()
    {
        var own = _offered[0];
        using var customer = factory.CreateClient(EngineRoles.Customer, own);

        using var response = await customer.PostAsJsonAsync("/api/v1/offers", new { requestedAmount = 10_000, requestedTenure = 36, programId = _programId });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(own, body.GetProperty("userId").GetString());
        var offers = body.GetProperty("offers").EnumerateArray().ToList();
        Assert.NotEmpty(offers);
        Assert.All(offers, offer => Assert.DoesNotContain(InternalFields, field => offer.TryGetProperty(field, out _)));
    }

    [Fact]
    public async Task A_customer_without_an_offer_is_told_so_in_words_that_reveal_nothing_the_bank_used()
    {
        var rejected = await FirstRejectedAsync();
        using var customer = factory.CreateClient(EngineRoles.Customer, rejected.CustomerId);

        var body = await (await customer.PostAsJsonAsync("/api/v1/offers", new { programId = _programId })).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(0, body.GetProperty("offers").GetArrayLength());
        Assert.Equal(OffersApi.CustomerNoOfferReason, body.GetProperty("noOfferReason").GetString());
        Assert.NotEqual(OffersApi.CustomerNoOfferReason, rejected.BankReason);
    }

    private async Task<(string CustomerId, string BankReason)> FirstRejectedAsync()
    {
        for (var number = 1; number <= Customers; number++)
        {
            var id = $"{_programId}-C{number:D7}";
            if (_offered.Contains(id))
            {
                continue;
            }

            var answer = await _bank.PostAsJsonAsync("/api/v1/offers", new { userId = id, programId = _programId });
            var body = await answer.Content.ReadFromJsonAsync<JsonElement>();
            if (answer.StatusCode == HttpStatusCode.OK && body.TryGetProperty("noOfferReason", out var reason))
            {
                return (id, reason.GetString()!);
            }
        }

        throw new InvalidOperationException("Every customer of the run gets an offer now.");
    }

    /// <summary>A problem body with the asked id taken out, so two answers can be compared whole.</summary>
    private static string Shape(string problem, string customerId)
    {
        using var document = JsonDocument.Parse(problem.Replace(customerId, "<id>", StringComparison.Ordinal));
        return string.Join("|", document.RootElement.EnumerateObject().Where(property => property.Name != "traceId").Select(property => $"{property.Name}={property.Value}"));
    }
}
