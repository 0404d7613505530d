using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LoanOffers.Abstractions;
using LoanOffers.Server.Security;

namespace LoanOffers.Server.Tests;

/// <summary>1-click apply: the firm-offer re-check on the offer's own criteria, idempotent applications, and the opt-out race.</summary>
[Collection(ApiCollection.Name)]
public sealed class AcceptanceTests(EngineApiFactory factory) : IAsyncLifetime
{
    private readonly HttpClient _admin = factory.CreateClient(EngineRoles.LendingAdmin);
    private readonly HttpClient _bank = factory.CreateClient(EngineRoles.OffersService);
    private readonly string _programId = "accept-" + Guid.NewGuid().ToString("N")[..8];
    private List<string> _offered = [];

    public async Task InitializeAsync()
    {
        _offered = await DemoRuns.RunToEndAsync(_admin, _programId, 400);
        Assert.True(_offered.Count >= 10, "The run offered fewer than ten customers.");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<List<string>> LiveOfferIdsAsync(string customerId) =>
        [.. (await _bank.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{customerId}/offers")).GetProperty("offers").EnumerateArray().Select(offer => offer.GetProperty("offerId").GetString()!)];

    [Fact]
    public async Task A_customer_who_still_qualifies_gets_an_application_and_the_same_one_when_asking_again()
    {
        var customerId = _offered[0];
        using var customer = factory.CreateClient(EngineRoles.Customer, customerId);
        var offerId = (await LiveOfferIdsAsync(customerId))[0];

        var first = await customer.PostAsync($"/api/v1/customers/{customerId}/offers/{offerId}/accept", null);
        var again = await customer.PostAsJsonAsync($"/api/v1/customers/{customerId}/offers/{offerId}/accept", new { });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var application = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("applied", offerId), (application.GetProperty("status").GetString(), application.GetProperty("terms").GetProperty("offerId").GetString()));
        Assert.False(application.GetProperty("terms").TryGetProperty("expectedValue", out _));
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(application.GetProperty("applicationId").GetString(), (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("applicationId").GetString());
        Assert.DoesNotContain(offerId, await LiveOfferIdsAsync(customerId));
    }

    [Fact]
    public async Task A_verified_score_below_the_offers_criteria_withdraws_it_with_an_adverse_action_notice_then_it_is_gone()
    {
        var customerId = _offered[1];
        var offers = await LiveOfferIdsAsync(customerId);

        var refused = await _bank.PostAsJsonAsync($"/api/v1/customers/{customerId}/offers/{offers[0]}/accept", new { verified = new { creditScore = 520 } });
        var afterwards = await _bank.PostAsync($"/api/v1/customers/{customerId}/offers/{offers[^1]}/accept", null);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var notice = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("adverseActionNotice");
        var reasons = notice.GetProperty("principalReasons").EnumerateArray().ToList();
        Assert.InRange(reasons.Count, 1, 4);
        Assert.Contains(reasons, reason => reason.GetProperty("code").GetString() == "CREDIT_SCORE_BELOW_MIN");
        Assert.Contains("Equal Credit Opportunity Act", notice.GetProperty("notice").GetString());
        Assert.Empty(await LiveOfferIdsAsync(customerId));
        Assert.Equal(HttpStatusCode.Gone, afterwards.StatusCode);
    }

    [Fact]
    public async Task An_offer_never_made_is_not_found()
    {
        var response = await _bank.PostAsync($"/api/v1/customers/{_offered[2]}/offers/OF-0000000000/accept", null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task An_accept_racing_an_opt_out_has_one_winner_seen_the_same_in_every_view()
    {
        foreach (var customerId in _offered.Skip(3).Take(6))
        {
            var offerId = (await LiveOfferIdsAsync(customerId))[0];
            var accept = _bank.PostAsync($"/api/v1/customers/{customerId}/offers/{offerId}/accept", null);
            var optOut = _bank.PostAsJsonAsync($"/api/v1/customers/{customerId}/events", new { eventId = "race-" + customerId, kind = CustomerEventKinds.PrescreenOptOut });
            await Task.WhenAll(accept, optOut);

            var accepted = (await accept).StatusCode;
            var withdrawn = (await (await optOut).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("withdrawn").EnumerateArray()
                .SelectMany(withdrawal => withdrawal.GetProperty("offerIds").EnumerateArray().Select(id => id.GetString())).ToList();
            var retried = (await _bank.PostAsync($"/api/v1/customers/{customerId}/offers/{offerId}/accept", null)).StatusCode;

            Assert.Contains(accepted, new[] { HttpStatusCode.Created, HttpStatusCode.Gone });
            Assert.Equal(accepted == HttpStatusCode.Gone, withdrawn.Contains(offerId));
            Assert.Equal(accepted, retried);
            Assert.DoesNotContain(offerId, await LiveOfferIdsAsync(customerId));
        }
    }
}
