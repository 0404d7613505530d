using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LoanOffers.Abstractions;
using LoanOffers.Server.Security;
using LoanOffers.Delivery;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace LoanOffers.Server.Tests;

/// <summary>A run's email campaign through the outbox to the engine's own SMTP server, under the contact policy.</summary>
[Collection(ApiCollection.Name)]
public sealed class CampaignTests(EngineApiFactory factory)
{
    private readonly HttpClient _admin = factory.CreateClient(EngineRoles.LendingAdmin);
    private readonly HttpClient _bank = factory.CreateClient(EngineRoles.OffersService);

    [Fact]
    public async Task Sending_now_emails_every_offered_customer_and_texts_the_excellent_ones_once_except_those_the_policy_stops_at_send_time()
    {
        var programId = "campaign-" + Guid.NewGuid().ToString("N")[..8];
        var offered = await DemoRuns.RunToEndAsync(_admin, programId, 200);
        var runId = (await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/programs/{programId}/runs"))[0].GetProperty("runId").GetString();
        // An email opt-out keeps the offer live, so the message is queued and stopped at send time; a prescreen opt-out
        // withdraws the offer, so no message is queued at all.
        var noEmail = offered[0];
        var withdrawn = offered[1];
        Assert.Equal(HttpStatusCode.OK, (await _bank.PostAsJsonAsync($"/api/v1/customers/{noEmail}/events", new { eventId = "mail-" + noEmail, kind = CustomerEventKinds.ChannelOptOut, channel = "email" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _bank.PostAsJsonAsync($"/api/v1/customers/{withdrawn}/events", new { eventId = "opt-" + withdrawn, kind = CustomerEventKinds.PrescreenOptOut })).StatusCode);
        var campaignUrl = $"/api/v1/admin/programs/{programId}/runs/{runId}/campaign";

        var refused = await _admin.PostAsJsonAsync(campaignUrl, new { });
        var started = await _admin.PostAsJsonAsync(campaignUrl, new { sendNow = true });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var progress = await DemoRuns.CampaignToEndAsync(_admin, programId, runId!);

        // An email per offered customer whose offer is live, and a text per excellent one; the policy decides at send time.
        var tiers = await DemoRuns.TiersAsync(_admin, programId);
        var queued = tiers.Count + tiers.Values.Count(tier => tier == "excellent");
        Assert.Equal(offered.Count - 1, tiers.Count);
        var messages = progress.GetProperty("messages");
        Assert.Equal(queued, progress.GetProperty("queued").GetInt32());
        var sent = messages.GetProperty("sent").GetInt32();
        var suppressed = messages.GetProperty("suppressed").GetInt32();
        Assert.Equal(queued, sent + suppressed);
        var received = await Task.WhenAll(Directory.GetFiles(factory.MailDirectory, "*.eml").Select(path => MimeMessage.LoadAsync(path)));
        var ours = received.Where(message => message.MessageId is not null && message.MessageId.StartsWith($"{programId}.{runId}.", StringComparison.Ordinal)).ToList();
        var texts = factory.Services.GetRequiredService<OfferTexter>().Fake!.Texts.Values.Where(text => text.IdempotencyKey!.StartsWith($"{programId}.{runId}.", StringComparison.Ordinal)).ToList();
        Assert.Equal(sent, ours.Count + texts.Count);
        Assert.InRange(ours.Count, offered.Count / 2, offered.Count - 2);

        // Texts go only to excellent-credit offers, from the program's template with a signed link; the outbox key is
        // the provider's idempotency key.
        Assert.NotEmpty(texts);
        Assert.All(texts, text => Assert.Equal("excellent", tiers[text.IdempotencyKey!.Split('.')[2]]));
        Assert.All(texts, text => Assert.Matches(@"^You're pre-approved for a \$[\d,]+ loan at [\d.]+% APR\. Apply now: http://127\.0\.0\.1:5080/t/[^/]+/click$", text.Body));
        Assert.All(texts, text => Assert.Equal("Bearer local-fake-provider", text.Authorization));
        Assert.Equal(ours.Count, ours.Select(message => message.MessageId).Distinct().Count());
        Assert.DoesNotContain(ours, message => message.MessageId!.Contains($".{noEmail}.", StringComparison.Ordinal) || message.MessageId.Contains($".{withdrawn}.", StringComparison.Ordinal));
        Assert.All(ours, message => Assert.StartsWith("You're Pre-Approved: $", message.Subject));
        Assert.All(ours, message => Assert.NotNull(message.Headers["List-Unsubscribe"]));
        Assert.All(ours, message => Assert.Contains("/open.gif", message.HtmlBody, StringComparison.Ordinal));

        var again = await _admin.PostAsJsonAsync(campaignUrl, new { sendNow = true });
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(ours.Count, Directory.GetFiles(factory.MailDirectory, $"{programId}.*.eml").Length);
    }

    [Fact]
    public async Task A_campaign_waiting_for_its_send_times_is_brought_forward_by_sending_now_and_every_message_goes()
    {
        var programId = "forward-" + Guid.NewGuid().ToString("N")[..8];
        await DemoRuns.RunToEndAsync(_admin, programId, 120);
        var runId = (await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/programs/{programId}/runs"))[0].GetProperty("runId").GetString()!;
        var campaignUrl = $"/api/v1/admin/programs/{programId}/runs/{runId}/campaign";

        // At the send times: emails wait for 10:00 in each customer's zone (whatever the hour the test runs at, the
        // campaign cannot complete before they go). Then sending now releases them, including any held mid-flight.
        var scheduled = await _admin.PostAsJsonAsync(campaignUrl, new { sendNow = false });
        await Task.Delay(500);
        var progress = await DemoRuns.CampaignToEndAsync(_admin, programId, runId);

        Assert.Equal(HttpStatusCode.Accepted, scheduled.StatusCode);
        Assert.True(progress.GetProperty("sendNow").GetBoolean());
        var messages = progress.GetProperty("messages");
        Assert.Equal(progress.GetProperty("queued").GetInt32(), messages.GetProperty("sent").GetInt32() + messages.GetProperty("suppressed").GetInt32());
        Assert.False(messages.TryGetProperty("pending", out _));
    }

    [Fact]
    public async Task A_campaign_of_an_unknown_run_is_not_found_and_a_bad_id_is_named()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetAsync("/api/v1/admin/programs/nope/runs/nope/campaign")).StatusCode);
        var bad = await _admin.PostAsJsonAsync("/api/v1/admin/programs/bad%20id/runs/r/campaign", new { sendNow = true });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("programId", out _));
    }

    [Fact]
    public async Task An_offered_customer_sees_a_banner_at_the_programs_placement_until_opting_out_of_in_app_offers()
    {
        var programId = "banner-" + Guid.NewGuid().ToString("N")[..8];
        var offered = await DemoRuns.RunToEndAsync(_admin, programId, 100);
        var customerId = offered[0];
        using var customer = factory.CreateClient(EngineRoles.Customer, customerId);
        using var stranger = factory.CreateClient(EngineRoles.Customer, offered[1]);
        var offers = (await customer.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{customerId}/offers")).GetProperty("offers").EnumerateArray().ToList();

        // Some synthetic customers start opted out of in-app offers; this one opts in first.
        Assert.Equal(HttpStatusCode.OK, (await customer.PostAsJsonAsync($"/api/v1/customers/{customerId}/events", new { eventId = "banners-on", kind = CustomerEventKinds.OptIn, channel = "in-app" })).StatusCode);

        var dashboard = await customer.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{customerId}/banners?placement=dashboard");
        var elsewhere = await customer.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{customerId}/banners?placement=checkout");

        var banner = Assert.Single(dashboard.GetProperty("banners").EnumerateArray());
        Assert.Equal((programId, "loan-offer"), (banner.GetProperty("programId").GetString(), banner.GetProperty("bannerType").GetString()));
        var offer = Assert.Single(offers, live => live.GetProperty("offerId").GetString() == banner.GetProperty("offer").GetProperty("offerId").GetString());
        Assert.True(banner.GetProperty("showUntil").GetDateTimeOffset() <= offer.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.Empty(elsewhere.GetProperty("banners").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/v1/customers/{customerId}/banners?placement=dashboard")).StatusCode);
        var missing = await customer.GetAsync($"/api/v1/customers/{customerId}/banners");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.True((await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("placement", out _));

        Assert.Equal(HttpStatusCode.OK, (await customer.PostAsJsonAsync($"/api/v1/customers/{customerId}/events", new { eventId = "no-banners", kind = CustomerEventKinds.ChannelOptOut, channel = "in-app" })).StatusCode);
        var afterOptOut = await customer.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{customerId}/banners?placement=dashboard");
        Assert.Empty(afterOptOut.GetProperty("banners").EnumerateArray());
    }
}
