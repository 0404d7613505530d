using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using LoanOffers.Abstractions;
using LoanOffers.Delivery.Smtp;
using LoanOffers.Server.Security;
using LoanOffers.Testing;
using MimeKit;
using Xunit.Abstractions;

namespace LoanOffers.Server.Tests;

/// <summary>
/// The engine is killed outright (SIGKILL) in the middle of a campaign and started again; the bank's SMTP server (here
/// in the test's own process) counts what it received: every message once. A message whose answer was lost in the
/// kill is sent again under its outbox key as <c>Message-ID</c>, so the server keeps it once; the test reports how
/// many were.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CampaignCrashTests(AzuriteFixture azurite, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Customers = 2_000;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(2);

    private readonly EngineClusterSettings _cluster = DemoRuns.NewCluster(azurite, "crash");
    private readonly string _mailDirectory = Directory.CreateTempSubdirectory("loanoffers-crash-mail").FullName;
    private readonly List<EngineProcess> _engines = [];
    private LocalMailDrop _relay = null!;

    public Task InitializeAsync()
    {
        _relay = LocalMailDrop.Start(_mailDirectory);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var engine in _engines)
        {
            await engine.DisposeAsync();
            foreach (var line in engine.Output.Where(line => !line.Contains("] info:", StringComparison.Ordinal)).Take(200))
            {
                output.WriteLine(line);
            }
        }

        await _relay.DisposeAsync();
        Directory.Delete(_mailDirectory, recursive: true);
        _cluster.DeleteDirectories();
    }

    [Fact]
    public async Task A_campaign_killed_mid_send_and_restarted_delivers_every_email_exactly_once()
    {
        var engine = await StartEngineAsync("engine-1");
        using var http = _cluster.Client(engine.BaseUrl, EngineRoles.LendingAdmin, TimeSpan.FromSeconds(30));
        var programId = "crash-" + Guid.NewGuid().ToString("N")[..8];
        var offered = await DemoRuns.RunToEndAsync(http, programId, Customers);
        var runId = (await http.GetFromJsonAsync<JsonElement>($"/api/v1/admin/programs/{programId}/runs"))[0].GetProperty("runId").GetString()!;
        var campaignUrl = $"/api/v1/admin/programs/{programId}/runs/{runId}/campaign";

        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await http.PostAsJsonAsync(campaignUrl, new { sendNow = true })).StatusCode);
        var waited = Stopwatch.StartNew();
        while (_relay.Received < offered.Count / 4)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(2), $"Only {_relay.Received} emails arrived.");
            await Task.Delay(20);
        }

        engine.Kill();
        var atKill = _relay.Received;
        output.WriteLine($"killed the engine with {atKill} of about {offered.Count} emails received");

        var restarted = await StartEngineAsync("engine-2");
        using var again = _cluster.Client(restarted.BaseUrl, EngineRoles.LendingAdmin, TimeSpan.FromSeconds(30));
        JsonElement progress;
        waited.Restart();
        while (true)
        {
            // Reading the campaign activates it on the new engine once the killed one is declared dead; it resumes sending.
            var response = await again.GetAsync(campaignUrl);
            progress = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : default;
            if (progress.ValueKind == JsonValueKind.Object && progress.GetProperty("status").GetString() == CampaignStatuses.Completed)
            {
                break;
            }

            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(4), $"The campaign did not complete after the restart: {progress}");
            await Task.Delay(500);
        }

        // The funnel counts the outbox's sends by channel: texts went to the customers who opted out of email.
        var funnel = await again.GetFromJsonAsync<JsonElement>($"/api/v1/admin/programs/{programId}/runs/{runId}/funnel");
        var sent = funnel.GetProperty("segments").EnumerateArray().Where(segment => segment.GetProperty("channel").GetString() == "email").Sum(segment => segment.GetProperty("sent").GetInt32());
        var kept = await Task.WhenAll(_relay.Messages().Select(path => MimeMessage.LoadAsync(path)));
        var keys = kept.Select(message => message.MessageId!).ToList();
        output.WriteLine($"after the restart: {sent} emails sent by the outbox, {kept.Length} kept by the server, {_relay.Received} received, {_relay.Repeated} received again under a kept Message-ID, {atKill} before the kill");

        Assert.True(atKill < sent, "The engine was killed after the campaign had finished.");
        Assert.Equal(sent, kept.Length);
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.All(keys, key => Assert.StartsWith($"{programId}.{runId}.", key));
        Assert.Equal(sent + _relay.Repeated, _relay.Received);

        // Only messages in flight at the kill (three per SMTP connection: 12 at once) can have been sent again.
        Assert.InRange(_relay.Repeated, 0, 12);
        Assert.Equal(0, progress.GetProperty("messages").TryGetProperty("parked", out var parked) ? parked.GetInt32() : 0);
    }

    private async Task<EngineProcess> StartEngineAsync(string name)
    {
        var engine = await EngineProcess.StartAsync(name, _cluster, ReadyTimeout,
            ("Delivery:Smtp:Host", "127.0.0.1"),
            ("Delivery:Smtp:Port", _relay.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Delivery:Smtp:Security", "None"),
            // Email only: with one message per offer, the email (priority 1) takes the place of the text.
            ("Delivery:MaxMessagesPerOffer", "1"));
        _engines.Add(engine);
        return engine;
    }
}
