using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LoanOffers.Abstractions;
using LoanOffers.Server.Security;

namespace LoanOffers.Server.Tests;

/// <summary>Events between runs: applied once, and an offer the customer no longer meets is gone on the very next read.</summary>
[Collection(ApiCollection.Name)]
public sealed class CustomerEventsTests(EngineApiFactory factory) : IAsyncLifetime
{
    private readonly HttpClient _admin = factory.CreateClient(EngineRoles.LendingAdmin);
    private readonly HttpClient _bank = factory.CreateClient(EngineRoles.OffersService);
    private readonly string _programId = "events-" + Guid.NewGuid().ToString("N")[..8];
    private List<string> _offered = [];

    public async Task InitializeAsync()
    {
        _offered = await DemoRuns.RunToEndAsync(_admin, _programId, 300);
        Assert.True(_offered.Count >= 4, "The run offered fewer than four customers.");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static object Event(string kind, string? eventId = null, object? extra = null) =>
        new Dictionary<string, object?>(
            new[] { KeyValuePair.Create<string, object?>("eventId", eventId ?? Guid.NewGuid().ToString("N")), KeyValuePair.Create<string, object?>("kind", kind) }
            .Concat(extra is null ? [] : JsonSerializer.SerializeToElement(extra).EnumerateObject().Select(p => KeyValuePair.Create<string, object?>(p.Name, p.Value))));

    [Fact]
    public async Task An_opt_out_withdraws_the_offers_at_once_from_the_next_read_and_the_index_and_applies_once()
    {
        var customerId = _offered[0];
        var url = $"/api/v1/customers/{customerId}/offers";
        Assert.NotEmpty((await _bank.GetFromJsonAsync<JsonElement>(url)).GetProperty("offers").EnumerateArray());
        var optOut = Event(CustomerEventKinds.PrescreenOptOut, "opt-out-1");

        var first = await (await _bank.PostAsJsonAsync($"/api/v1/customers/{customerId}/events", optOut)).Content.ReadFromJsonAsync<JsonElement>();
        var next = await _bank.GetFromJsonAsync<JsonElement>(url);
        var again = await (await _bank.PostAsJsonAsync($"/api/v1/customers/{customerId}/events", optOut)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.True(first.GetProperty("applied").GetBoolean());
        var withdrawal = Assert.Single(first.GetProperty("withdrawn").EnumerateArray());
        Assert.Equal((_programId, "PRESCREEN_OPT_OUT"), (withdrawal.GetProperty("programId").GetString(), withdrawal.GetProperty("reasonCode").GetString()));
        Assert.Empty(next.GetProperty("offers").EnumerateArray());
        Assert.Equal(CustomerOffers.NoLiveOffers, next.GetProperty("noOfferReason").GetString());
        Assert.False(again.GetProperty("applied").GetBoolean());
        Assert.DoesNotContain(customerId, await DemoRuns.IndexedCustomersAsync(_admin, _programId));
    }

    [Fact]
    public async Task An_offer_the_customer_still_meets_keeps_its_terms_even_after_the_program_tightened()
    {
        var customerId = _offered[1];
        var url = $"/api/v1/customers/{customerId}/offers";
        var before = await _bank.GetFromJsonAsync<JsonElement>(url);
        var stricter = DemoRuns.Yaml(_programId, 300).Replace("minCreditScore: 680", "minCreditScore: 849");
        Assert.Equal(HttpStatusCode.OK, (await _admin.PutAsync($"/api/v1/admin/programs/{_programId}", new StringContent(stricter, Encoding.UTF8, "application/yaml"))).StatusCode);

        var result = await (await _bank.PostAsJsonAsync($"/api/v1/customers/{customerId}/events", Event(CustomerEventKinds.ChannelOptOut, extra: new { channel = "sms" }))).Content.ReadFromJsonAsync<JsonElement>();
        var after = await _bank.GetFromJsonAsync<JsonElement>(url);

        Assert.True(result.GetProperty("applied").GetBoolean());
        Assert.Empty(result.GetProperty("withdrawn").EnumerateArray());
        Assert.Equal(before.GetProperty("offers").ToString(), after.GetProperty("offers").ToString());
    }

    [Fact]
    public async Task A_customers_app_sends_only_its_own_consent()
    {
        var (own, other) = (_offered[2], _offered[3]);
        using var customer = factory.CreateClient(EngineRoles.Customer, own);

        var latePayment = await customer.PostAsJsonAsync($"/api/v1/customers/{own}/events", Event(CustomerEventKinds.LatePayment));
        var forOther = await customer.PostAsJsonAsync($"/api/v1/customers/{other}/events", Event(CustomerEventKinds.PrescreenOptOut));
        var ownOptOut = await customer.PostAsJsonAsync($"/api/v1/customers/{own}/events", Event(CustomerEventKinds.PrescreenOptOut));

        Assert.Equal(HttpStatusCode.Forbidden, latePayment.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, forOther.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ownOptOut.StatusCode);
        Assert.NotEmpty((await _bank.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{other}/offers")).GetProperty("offers").EnumerateArray());
    }

    [Theory]
    [InlineData("""{"kind":"late-payment"}""", "eventId")]
    [InlineData("""{"eventId":"e1","kind":"moved-to-mars"}""", "kind")]
    [InlineData("""{"eventId":"e1","kind":"channel-opt-out","channel":"pigeon"}""", "channel")]
    [InlineData("""{"eventId":"e1","kind":"income-changed"}""", "annualIncome")]
    [InlineData("""{"eventId":"e1","kind":"credit-score-changed","score":9000}""", "score")]
    [InlineData("""{"eventId":"e1","kind":"address-changed","state":"california"}""", "state")]
    public async Task A_bad_event_names_the_field(string body, string field)
    {
        var response = await _bank.PostAsync($"/api/v1/customers/{_offered[0]}/events", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
    }
}
