using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LoanOffers.Server.Security;

namespace LoanOffers.Server.Tests;

/// <summary>The daily origination report and the nightly totals: made on demand, stored, served as JSON and CSV.</summary>
[Collection(ApiCollection.Name)]
public sealed class ReportsTests(EngineApiFactory factory)
{
    [Fact]
    public async Task A_daily_report_made_on_demand_counts_the_programs_live_offers_and_messages_and_downloads_as_csv()
    {
        using var admin = factory.CreateClient(EngineRoles.LendingAdmin);
        var programId = "report-" + Guid.NewGuid().ToString("N")[..8];
        await DemoRuns.RunToEndAsync(admin, programId, 90);
        var runId = (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/programs/{programId}/runs"))[0].GetProperty("runId").GetString()!;
        await DemoRuns.CampaignToEndAsync(admin, programId, runId);
        var tiers = (await DemoRuns.TiersAsync(admin, programId)).Values.GroupBy(tier => tier).ToDictionary(group => group.Key, group => group.Count());
        var funnel = (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/programs/{programId}/runs/{runId}/funnel")).GetProperty("segments").EnumerateArray().ToList();

        // Today where the bank is (the engine's default zone), so no earlier totals exist: everything so far is the day's.
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")).DateTime);
        var requested = await admin.PostAsJsonAsync("/api/v1/admin/reports", new { kind = "daily", day });
        Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
        Assert.Equal($"/api/v1/admin/reports/daily/{day:yyyy-MM-dd}", requested.Headers.Location!.ToString());
        await WaitForAsync(admin, "daily", day);

        using var analyst = factory.CreateClient(EngineRoles.RiskAnalyst);
        var report = await analyst.GetFromJsonAsync<JsonElement>($"/api/v1/admin/reports/daily/{day:yyyy-MM-dd}");
        var rows = report.GetProperty("rows").EnumerateArray().Where(row => row.GetProperty("programId").GetString() == programId).ToList();
        foreach (var (tier, live) in tiers)
        {
            var all = rows.Single(row => row.GetProperty("tier").GetString() == tier && row.GetProperty("channel").GetString() == "all");
            Assert.Equal(live, all.GetProperty("offersLive").GetInt32());
        }

        foreach (var segment in funnel)
        {
            var row = rows.Single(row => row.GetProperty("tier").GetString() == segment.GetProperty("tier").GetString()
                && row.GetProperty("channel").GetString() == segment.GetProperty("channel").GetString());
            Assert.Equal(segment.GetProperty("sent").GetInt32(), row.GetProperty("day").GetProperty("sent").GetInt32());
            Assert.Equal(segment.GetProperty("applied").GetInt32(), row.GetProperty("day").GetProperty("applied").GetInt32());
        }

        Assert.True(rows.Sum(row => row.GetProperty("channel").GetString() == "email" ? row.GetProperty("day").GetProperty("sent").GetInt32() : 0) > 0);

        using var csvRequest = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/admin/reports/daily/{day:yyyy-MM-dd}");
        csvRequest.Headers.Accept.ParseAdd("text/csv");
        using var csv = await analyst.SendAsync(csvRequest);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
        Assert.StartsWith("day,program,tier,channel,offers_live,", lines[0]);
        Assert.Equal(report.GetProperty("rows").GetArrayLength(), lines.Length - 1);
        Assert.Contains(lines, line => line.StartsWith($"{day:yyyy-MM-dd},{programId},", StringComparison.Ordinal));

        var totals = await analyst.GetStringAsync($"/api/v1/admin/reports/totals/{day:yyyy-MM-dd}?format=csv");
        Assert.Contains($"{day:yyyy-MM-dd},{programId},{runId},", totals);
        Assert.Contains((await analyst.GetFromJsonAsync<JsonElement>("/api/v1/admin/reports/daily")).GetProperty("days").EnumerateArray(), listed => listed.GetString() == $"{day:yyyy-MM-dd}");
    }

    [Fact]
    public async Task A_report_of_an_unknown_kind_or_a_day_not_yet_begun_is_refused_by_field()
    {
        using var admin = factory.CreateClient(EngineRoles.LendingAdmin);
        var problem = await (await admin.PostAsJsonAsync("/api/v1/admin/reports", new { kind = "weekly", day = "2999-01-01" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("kind", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("day", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/admin/reports/daily/2001-01-01")).StatusCode);
    }

    /// <summary>Waits until the reports grain has made <paramref name="kind"/> of <paramref name="day"/>, and asserts it did without error.</summary>
    internal static async Task WaitForAsync(HttpClient http, string kind, DateOnly day, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(1));
        while (true)
        {
            var status = (await http.GetFromJsonAsync<JsonElement>("/api/v1/admin/reports/daily")).GetProperty("status");
            if (status.TryGetProperty("last", out var last)
                && last.GetProperty("request").GetProperty("kind").GetString() == kind
                && last.GetProperty("request").GetProperty("day").GetString() == day.ToString("yyyy-MM-dd"))
            {
                Assert.False(last.TryGetProperty("error", out var error), $"The report failed: {error}");
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The {kind} report of {day:yyyy-MM-dd} was not made: {status}");
            await Task.Delay(200);
        }
    }
}
