using System.Text.RegularExpressions;
using LoanOffers.Server.Security;

namespace LoanOffers.Server.Tests;

/// <summary>The Prometheus endpoint shows the engine's own meters once a run and its campaign have gone.</summary>
[Collection(ApiCollection.Name)]
public sealed partial class MetricsTests(EngineApiFactory factory)
{
    [Fact]
    public async Task The_metrics_endpoint_counts_a_runs_customers_offers_rejections_scoring_and_messages_by_program_tier_filter_and_channel()
    {
        using var admin = factory.CreateClient(EngineRoles.LendingAdmin);
        var programId = "metrics-" + Guid.NewGuid().ToString("N")[..8];
        var offered = await DemoRuns.RunToEndAsync(admin, programId, 80);
        var runs = await admin.GetStringAsync($"/api/v1/admin/programs/{programId}/runs");
        var runId = RunIdPattern().Match(runs).Groups[1].Value;
        await DemoRuns.CampaignToEndAsync(admin, programId, runId);

        using var operations = factory.CreateClient(EngineRoles.Operations);
        var scrape = await operations.GetStringAsync("/metrics");

        Assert.Equal(80, Sample(scrape, "loanoffers_batch_customers_evaluated_total", $"program=\"{programId}\""));
        Assert.Equal(offered.Count, SumOf(scrape, "loanoffers_batch_offers_total", $"program=\"{programId}\""));
        Assert.True(SumOf(scrape, "loanoffers_batch_rejections_total", $"program=\"{programId}\"") > 0);
        Assert.True(SumOf(scrape, "loanoffers_scoring_batch_size_count", null) > 0);
        Assert.True(SumOf(scrape, "loanoffers_delivery_messages_total", "channel=\"email\",status=\"sent\"") > 0);
        Assert.True(SumOf(scrape, "loanoffers_funnel_events_total", "stage=\"sent\"") > 0);
        Assert.True(SumOf(scrape, "loanoffers_batch_run_duration_seconds_count", $"program=\"{programId}\"") >= 1);
        Assert.Contains("http_server_request_duration_seconds", scrape);
        // Tags name programs, tiers, filters and channels, never a customer.
        Assert.DoesNotContain(offered[0], scrape);
    }

    [Fact]
    public async Task A_runs_and_its_campaigns_log_lines_carry_the_program_and_run_as_properties()
    {
        using var admin = factory.CreateClient(EngineRoles.LendingAdmin);
        var programId = "logs-" + Guid.NewGuid().ToString("N")[..8];
        await DemoRuns.RunToEndAsync(admin, programId, 40);
        var runs = await admin.GetStringAsync($"/api/v1/admin/programs/{programId}/runs");
        var runId = RunIdPattern().Match(runs).Groups[1].Value;
        await DemoRuns.CampaignToEndAsync(admin, programId, runId);

        // The run's end and the campaign's end are logged just after their status says so.
        List<CapturedEntry> Of(string grain) => [.. factory.Logs.Entries.Where(entry =>
            entry.Category.EndsWith(grain, StringComparison.Ordinal) && Equals(entry.Properties.GetValueOrDefault("ProgramId"), programId)
            && entry.Properties.ContainsKey("RunId"))];
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((Of(".ProgramGrain").Count == 0 || Of(".CampaignGrain").Count == 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.NotEmpty(Of(".ProgramGrain"));
        Assert.NotEmpty(Of(".CampaignGrain"));
        Assert.All([.. Of(".ProgramGrain"), .. Of(".CampaignGrain")], entry => Assert.Equal(runId, entry.Properties["RunId"]));
    }

    /// <summary>The one sample of <paramref name="metric"/> whose labels include <paramref name="labels"/>.</summary>
    private static double Sample(string scrape, string metric, string labels) =>
        Assert.Single(Samples(scrape, metric, labels));

    private static double SumOf(string scrape, string metric, string? labels) => Samples(scrape, metric, labels).Sum();

    private static IEnumerable<double> Samples(string scrape, string metric, string? labels) => scrape
        .Split('\n')
        .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) && (labels is null || line.Contains(labels, StringComparison.Ordinal)))
        .Select(line => double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture));

    [GeneratedRegex("\"runId\":\"([^\"]+)\"")]
    private static partial Regex RunIdPattern();
}
