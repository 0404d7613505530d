using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using LoanOffers.Abstractions;
using LoanOffers.Server.Security;
using Microsoft.AspNetCore.Mvc.Testing;
using MimeKit;

namespace LoanOffers.Server.Tests;

/// <summary>A run's funnel from messages sent to funded loans: signed links, app events, applications and outcomes.</summary>
[Collection(ApiCollection.Name)]
public sealed partial class FunnelTests(EngineApiFactory factory)
{
    private readonly HttpClient _admin = factory.CreateClient(EngineRoles.LendingAdmin);
    private readonly HttpClient _anonymous = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    [Fact]
    public async Task Opens_clicks_app_events_applications_and_funded_loans_add_up_per_tier_and_channel_once_each()
    {
        var programId = "funnel-" + Guid.NewGuid().ToString("N")[..8];
        var offered = await DemoRuns.RunToEndAsync(_admin, programId, 120);
        var runId = (await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/programs/{programId}/runs"))[0].GetProperty("runId").GetString()!;
        await DemoRuns.CampaignToEndAsync(_admin, programId, runId);
        var tiers = await DemoRuns.TiersAsync(_admin, programId);
        var email = (await Task.WhenAll(Directory.GetFiles(factory.MailDirectory, $"{programId}.{runId}.*.eml").Select(path => MimeMessage.LoadAsync(path))))[0];
        var reader = email.MessageId!.Split('.')[2];
        var click = new Uri(ClickLink().Match(email.HtmlBody!).Groups[1].Value).PathAndQuery;
        var pixel = new Uri(PixelLink().Match(email.HtmlBody!).Groups[1].Value).PathAndQuery;

        // The links need no sign-in, and count once however often they are followed.
        var opened = await _anonymous.GetAsync(pixel);
        await _anonymous.GetAsync(pixel);
        var clicked = await _anonymous.GetAsync(click);
        await _anonymous.GetAsync(click);
        var forged = await _anonymous.GetAsync(click.Replace("/click", "x/click", StringComparison.Ordinal).Replace(".", "A.", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.Equal("image/gif", opened.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.Redirect, clicked.StatusCode);
        var offerId = clicked.Headers.Location!.ToString().Split('/')[^1];
        Assert.EndsWith($"/offers/{reader}/{offerId}", clicked.Headers.Location.ToString());
        Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);

        // The reader applies through the app and the loan is funded; another customer views and clicks its banner offer.
        using var readerApp = factory.CreateClient(EngineRoles.Customer, reader);
        var application = await (await readerApp.PostAsync($"/api/v1/customers/{reader}/offers/{offerId}/accept", null)).Content.ReadFromJsonAsync<JsonElement>();
        var amount = application.GetProperty("terms").GetProperty("amount").GetDecimal();
        var funded = await _admin.PostAsJsonAsync($"/api/v1/applications/{application.GetProperty("applicationId").GetString()}/outcome", new { outcome = "funded", amount, fundedOn = "2026-12-01" });
        Assert.Equal(HttpStatusCode.OK, funded.StatusCode);
        var browser = offered.First(customer => customer != reader);
        using var browserApp = factory.CreateClient(EngineRoles.Customer, browser);
        var banner = (await browserApp.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{browser}/offers")).GetProperty("offers")[0].GetProperty("offerId").GetString();
        foreach (var (eventId, kind) in new[] { ("seen", CustomerEventKinds.OfferViewed), ("tapped", CustomerEventKinds.OfferClicked), ("tapped-again", CustomerEventKinds.OfferClicked) })
        {
            Assert.Equal(HttpStatusCode.OK, (await browserApp.PostAsJsonAsync($"/api/v1/customers/{browser}/events", new { eventId, kind, offerId = banner })).StatusCode);
        }

        var funnel = (await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/programs/{programId}/runs/{runId}/funnel")).GetProperty("segments").EnumerateArray().ToList();
        JsonElement Segment(string tier, string channel) => funnel.Single(segment => segment.GetProperty("tier").GetString() == tier && segment.GetProperty("channel").GetString() == channel);

        var byEmail = Segment(tiers[reader], "email");
        Assert.True(byEmail.GetProperty("sent").GetInt32() >= 1);
        Assert.Equal(byEmail.GetProperty("sent").GetInt32(), byEmail.GetProperty("delivered").GetInt32());
        Assert.Equal((1, 1, 1, 1, amount), (byEmail.GetProperty("opened").GetInt32(), byEmail.GetProperty("clicked").GetInt32(),
            byEmail.GetProperty("applied").GetInt32(), byEmail.GetProperty("funded").GetInt32(), byEmail.GetProperty("fundedVolume").GetDecimal()));
        Assert.Equal(Math.Round(1.0 / byEmail.GetProperty("delivered").GetInt32(), 4), byEmail.GetProperty("clickRate").GetDouble());
        var inApp = Segment(tiers[browser], "in-app");
        Assert.Equal((1, 1, 1, 0), (inApp.GetProperty("sent").GetInt32(), inApp.GetProperty("opened").GetInt32(), inApp.GetProperty("clicked").GetInt32(), inApp.GetProperty("applied").GetInt32()));

        // Every email sent is in the funnel: the 'all' rows add up to what the outbox sent by email and SMS, per customer.
        var campaign = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/programs/{programId}/runs/{runId}/campaign");
        var channelsSent = funnel.Where(segment => segment.GetProperty("channel").GetString() is "email" or "sms").Sum(segment => segment.GetProperty("sent").GetInt32());
        Assert.Equal(campaign.GetProperty("messages").GetProperty("sent").GetInt32(), channelsSent);
    }

    [GeneratedRegex("href=\"(http[^\"]+/t/[^\"]+/click)\"")]
    private static partial Regex ClickLink();

    [GeneratedRegex("src=\"(http[^\"]+/t/[^\"]+/open\\.gif)\"")]
    private static partial Regex PixelLink();
}
