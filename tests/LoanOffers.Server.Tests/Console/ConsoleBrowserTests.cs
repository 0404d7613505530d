using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LoanOffers.Server.Security;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LoanOffers.Server.Tests.Console;

/// <summary>The web console in a real browser over the real engine: sign-in, programs, runs, the funnel chart, models and audit.</summary>
public sealed class ConsoleBrowserTests(ConsoleFixture console) : IClassFixture<ConsoleFixture>
{
    private static readonly LocatorAssertionsToHaveTextOptions Slow = new() { Timeout = 120_000 };

    /// <summary>The dashboard's page is there once its document is; its fonts and pictures may take longer under load.</summary>
    private static readonly PageWaitForURLOptions DashboardOpened = new() { WaitUntil = WaitUntilState.DOMContentLoaded, Timeout = 90_000 };

    [Fact]
    public async Task Staff_sign_in_with_an_engine_token_from_the_keyboard_and_a_customer_token_is_turned_away()
    {
        var page = await console.Browser.NewPageAsync();
        await page.GotoAsync($"{console.Engine.BaseUrl}/console");
        await Expect(page).ToHaveTitleAsync("Sign in · Loan offer console");
        await console.ScreenshotAsync(page, "sign-in");

        var token = page.GetByLabel("Access token");
        await token.FillAsync(console.Engine.Token(EngineRoles.Customer, "C0000001"));
        await token.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#sign-in-errors")).ToContainTextAsync("no access to the console");

        await token.FillAsync(console.Engine.Token(EngineRoles.LendingAdmin));
        await token.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Programs", Exact = true })).ToBeVisibleAsync();
        await Expect(page).ToHaveTitleAsync("Programs · Loan offer console");
        await Expect(page.Locator("#who")).ToHaveTextAsync($"{LocalTokenIssuer.DefaultSubject(EngineRoles.LendingAdmin)} ({EngineRoles.LendingAdmin})");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = console.ProgramId })).ToBeVisibleAsync();
        // A lending admin's role reads no models: the console does not offer the page.
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Models" })).ToBeHiddenAsync();
        await console.ScreenshotAsync(page, "programs");
    }

    [Fact]
    public async Task An_edit_into_an_error_shows_the_error_at_its_path_and_a_valid_edit_becomes_a_version_with_a_diff()
    {
        var page = await console.SignedInPageAsync(EngineRoles.LendingAdmin, $"#/programs/{console.ProgramId}");
        var editor = page.GetByLabel("Program configuration (seed 000 YAML)");
        await Expect(editor).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("minCreditScore: 680"));
        var yaml = await editor.InputValueAsync();

        await editor.FillAsync(yaml.Replace("minCreditScore: 680", "minCreditScore: 9000", StringComparison.Ordinal));
        await page.GetByRole(AriaRole.Button, new() { Name = "Save as new version" }).ClickAsync();
        var error = page.Locator("#error-list li");
        await Expect(error).ToHaveCountAsync(1);
        await Expect(error.Locator("code.error-path")).ToHaveTextAsync("filterChain[1].parameters.minCreditScore");
        await Expect(error).ToContainTextAsync("between 300 and 850");
        await console.ScreenshotAsync(page, "program-error");

        await editor.FillAsync(yaml.Replace("minCreditScore: 680", "minCreditScore: 690", StringComparison.Ordinal));
        await page.GetByRole(AriaRole.Button, new() { Name = "Save as new version" }).ClickAsync();
        await Expect(page.Locator("#program-status")).ToHaveTextAsync("Saved as a new version.");
        var diff = page.GetByRole(AriaRole.Button, new() { Name = "Diff v1 → v2" });
        await diff.ClickAsync();
        await Expect(page.Locator("#version-diff")).ToContainTextAsync("minCreditScore: 680 → 690");
        await console.ScreenshotAsync(page, "program-history");
    }

    [Fact]
    public async Task A_what_if_of_an_edit_shows_both_versions_funnels_as_the_api_counts_them_and_saves_nothing()
    {
        using var admin = console.Engine.CreateClient(EngineRoles.LendingAdmin);
        var versionBefore = (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/programs/{console.ProgramId}/versions")).GetArrayLength();
        var page = await console.SignedInPageAsync(EngineRoles.LendingAdmin, $"#/programs/{console.ProgramId}");
        var editor = page.GetByLabel("Program configuration (seed 000 YAML)");
        await Expect(editor).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("minCreditScore: 6"));
        var yaml = await editor.InputValueAsync();

        await editor.FillAsync(System.Text.RegularExpressions.Regex.Replace(yaml, "minCreditScore: \\d+", "minCreditScore: 9000"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Try as a what-if" }).ClickAsync();
        await Expect(page.Locator("#error-list li code.error-path")).ToHaveTextAsync("filterChain[1].parameters.minCreditScore");

        await editor.FillAsync(System.Text.RegularExpressions.Regex.Replace(yaml, "minCreditScore: \\d+", "minCreditScore: 760"));
        await page.GetByLabel("Customers to sample").FillAsync("100");
        await page.GetByRole(AriaRole.Button, new() { Name = "Try as a what-if" }).ClickAsync();
        await Expect(page.Locator("#what-if-state")).ToHaveTextAsync("Completed", Slow);

        var simulationId = Uri.UnescapeDataString(new Uri(page.Url).Fragment.Split('/')[^1]);
        var simulation = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/programs/{console.ProgramId}/simulations/{simulationId}");
        Assert.Equal(100, simulation.GetProperty("sample").GetInt32());
        var funnel = page.GetByRole(AriaRole.Table, new() { Name = "What-if funnel: the live version against the proposed one" });
        string Row(string stage, int live, int proposed) => string.Create(CultureInfo.InvariantCulture,
            $"{stage} {live:N0} {proposed:N0} {(proposed > live ? "+" : proposed < live ? "\u2212" : "\u00b1")}{Math.Abs(proposed - live):N0}");
        var (liveTally, proposedTally) = (simulation.GetProperty("live"), simulation.GetProperty("proposed"));
        await Expect(funnel.GetByRole(AriaRole.Row, new() { Name = Row("customers decided", liveTally.GetProperty("evaluated").GetInt32(), proposedTally.GetProperty("evaluated").GetInt32()), Exact = true })).ToBeVisibleAsync();
        await Expect(funnel.GetByRole(AriaRole.Row, new() { Name = Row("offered", liveTally.GetProperty("offered").GetInt32(), proposedTally.GetProperty("offered").GetInt32()), Exact = true })).ToBeVisibleAsync();
        var stricter = proposedTally.GetProperty("rejectedByFilter").GetProperty("credit-qualification").GetInt32();
        var liveRejected = liveTally.GetProperty("rejectedByFilter").TryGetProperty("credit-qualification", out var count) ? count.GetInt32() : 0;
        Assert.True(stricter > liveRejected, $"a 760 floor rejects more than the live one ({stricter} against {liveRejected})");
        await Expect(funnel.GetByRole(AriaRole.Row, new() { Name = Row("rejected by credit-qualification", liveRejected, stricter), Exact = true })).ToBeVisibleAsync();
        await console.ScreenshotAsync(page, "what-if");

        Assert.Equal(versionBefore, (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/programs/{console.ProgramId}/versions")).GetArrayLength());
    }

    [Fact]
    public async Task Starting_a_run_shows_its_progress_filter_funnel_and_tier_mix_until_it_completes()
    {
        var page = await console.SignedInPageAsync(EngineRoles.LendingAdmin, $"#/runs/{console.ProgramId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start a run now" }).ClickAsync();

        await Expect(page.Locator("#run-state")).ToHaveTextAsync("Completed", Slow);
        var progress = page.GetByRole(AriaRole.Progressbar, new() { Name = "Customers evaluated" });
        Assert.Equal(await progress.GetAttributeAsync("max"), await progress.GetAttributeAsync("value"));

        var runId = Uri.UnescapeDataString(new Uri(page.Url).Fragment.Split('/')[^1]);
        using var analyst = console.Engine.CreateClient(EngineRoles.RiskAnalyst);
        var run = await analyst.GetFromJsonAsync<JsonElement>($"/api/v1/admin/programs/{console.ProgramId}/runs/{runId}");
        await Expect(page.Locator("#run-offered")).ToHaveTextAsync(run.GetProperty("offered").GetInt32().ToString("N0", CultureInfo.InvariantCulture));
        var rejected = page.GetByRole(AriaRole.Table, new() { Name = "Customers rejected by each filter" });
        foreach (var filter in run.GetProperty("rejectedByFilter").EnumerateObject())
        {
            await Expect(rejected.GetByRole(AriaRole.Row, new() { Name = $"rejected by {filter.Name} {filter.Value.GetInt32():N0}", Exact = true })).ToBeVisibleAsync();
        }

        var groups = page.GetByRole(AriaRole.Table, new() { Name = "Offers by age band and state against the best-treated group" });
        await Expect(groups.GetByRole(AriaRole.Row)).ToHaveCountAsync(1 + run.GetProperty("fairness").GetProperty("groups").GetArrayLength());
        await console.ScreenshotAsync(page, "run");

        // The first run, which made the program's offers: its tier mix as a chart, the same counts as the API's.
        await page.GotoAsync($"{console.Engine.BaseUrl}/console/#/runs/{console.ProgramId}/{console.RunId}");
        var first = await analyst.GetFromJsonAsync<JsonElement>($"/api/v1/admin/programs/{console.ProgramId}/runs/{console.RunId}");
        var tierMix = page.GetByRole(AriaRole.Img, new() { Name = "Offers by tier" });
        await Expect(tierMix).ToBeVisibleAsync();
        var plotted = await tierMix.EvaluateAsync<JsonElement>("canvas => { const data = Chart.getChart(canvas).data; return { labels: data.labels, counts: data.datasets[0].data }; }");
        var tiers = first.GetProperty("offersByTier").EnumerateObject().ToList();
        Assert.NotEmpty(tiers);
        Assert.Equal(tiers.Select(tier => tier.Name), plotted.GetProperty("labels").EnumerateArray().Select(label => label.GetString()));
        Assert.Equal(tiers.Select(tier => tier.Value.GetInt32()), plotted.GetProperty("counts").EnumerateArray().Select(count => count.GetInt32()));
        await console.ScreenshotAsync(page, "run-tier-mix");
    }

    [Fact]
    public async Task The_campaign_funnel_chart_plots_each_tier_and_channel_as_the_api_counts_them()
    {
        var page = await console.SignedInPageAsync(EngineRoles.RiskAnalyst, $"#/funnel/{console.ProgramId}/{console.RunId}");
        var chart = page.GetByRole(AriaRole.Img, new() { Name = "Funnel by tier and channel: messages at each stage" });
        await Expect(chart).ToBeVisibleAsync();

        var plotted = await chart.EvaluateAsync<JsonElement>(
            "canvas => { const data = Chart.getChart(canvas).data; return { labels: data.labels, sent: data.datasets.find(d => d.label === 'sent').data }; }");
        using var analyst = console.Engine.CreateClient(EngineRoles.RiskAnalyst);
        var segments = (await analyst.GetFromJsonAsync<JsonElement>($"/api/v1/admin/programs/{console.ProgramId}/runs/{console.RunId}/funnel"))
            .GetProperty("segments").EnumerateArray().Where(segment => segment.GetProperty("channel").GetString() != "all").ToList();
        Assert.NotEmpty(segments);
        Assert.Equal(
            segments.Select(segment => $"{segment.GetProperty("tier").GetString()} · {segment.GetProperty("channel").GetString()}"),
            plotted.GetProperty("labels").EnumerateArray().Select(label => label.GetString()));
        Assert.Equal(segments.Select(segment => segment.GetProperty("sent").GetInt32()), plotted.GetProperty("sent").EnumerateArray().Select(count => count.GetInt32()));
        Assert.True(segments.Sum(segment => segment.GetProperty("sent").GetInt32()) > 0);
        await Expect(page.Locator("#campaign-status")).ToContainTextAsync("Campaign completed");
        await console.ScreenshotAsync(page, "funnel");
    }

    [Fact]
    public async Task A_risk_analyst_reads_programs_and_runs_but_is_offered_no_edit_and_the_api_refuses_one()
    {
        var page = await console.SignedInPageAsync(EngineRoles.RiskAnalyst, $"#/programs/{console.ProgramId}");
        var editor = page.GetByLabel("Program configuration (seed 000 YAML)");
        await Expect(editor).ToHaveAttributeAsync("readonly", string.Empty);
        await Expect(page.Locator("#read-only-notice")).ToContainTextAsync("can read programs but not change them");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Save as new version" })).ToHaveCountAsync(0);
        await console.ScreenshotAsync(page, "program-read-only");

        var yaml = await editor.InputValueAsync();
        await page.GotoAsync($"{console.Engine.BaseUrl}/console/#/runs/{console.ProgramId}");
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Runs, newest first" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Start a run now" })).ToHaveCountAsync(0);

        // Hiding the button is a courtesy; the API is what refuses.
        using var analyst = console.Engine.CreateClient(EngineRoles.RiskAnalyst);
        var put = await analyst.PutAsync($"/api/v1/admin/programs/{console.ProgramId}", new StringContent(yaml, Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
    }

    [Fact]
    public async Task The_models_page_shows_each_card_with_its_held_out_auc_and_calibration_and_only_model_ops_may_act()
    {
        using var analyst = console.Engine.CreateClient(EngineRoles.RiskAnalyst);
        var cards = await analyst.GetFromJsonAsync<JsonElement>("/api/v1/admin/models");
        var page = await console.SignedInPageAsync(EngineRoles.RiskAnalyst, "#/models");
        foreach (var card in cards.EnumerateArray())
        {
            var modelId = card.GetProperty("modelId").GetString()!;
            var section = page.GetByRole(AriaRole.Region, new() { Name = $"{modelId} {card.GetProperty("version").GetString()}" });
            await Expect(section.Locator(".auc")).ToHaveTextAsync(card.GetProperty("metrics").GetProperty("auc").GetDouble().ToString("F3", CultureInfo.InvariantCulture));
            var calibration = section.GetByRole(AriaRole.Img, new() { Name = $"Calibration of {modelId}: observed rate against mean predicted probability by decile" });
            var points = await calibration.EvaluateAsync<int>("canvas => Chart.getChart(canvas).data.labels.length");
            Assert.Equal(card.GetProperty("metrics").GetProperty("calibrationByDecile").GetArrayLength(), points);
        }

        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Roll back" })).ToHaveCountAsync(0);
        await console.ScreenshotAsync(page, "models");

        var modelOps = await console.SignedInPageAsync(EngineRoles.ModelOps, "#/models");
        await Expect(modelOps.GetByRole(AriaRole.Button, new() { Name = "Roll back" })).ToHaveCountAsync(cards.GetArrayLength());
        await Expect(modelOps.GetByRole(AriaRole.Link, new() { Name = "Programs" })).ToBeHiddenAsync();
    }

    [Fact]
    public async Task A_daily_report_made_from_the_console_shows_the_program_and_downloads_as_csv()
    {
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")).DateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var page = await console.SignedInPageAsync(EngineRoles.LendingAdmin, "#/reports");
        await page.GetByLabel("Report", new() { Exact = true }).SelectOptionAsync("daily");
        await page.GetByLabel("Business day").FillAsync(day);
        await page.GetByRole(AriaRole.Button, new() { Name = "Make it now" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = day, Exact = true }).ClickAsync(new() { Timeout = 60_000 });

        var table = page.GetByRole(AriaRole.Table, new() { Name = "Origination by program, tier and channel" });
        await Expect(table.GetByRole(AriaRole.Row).Filter(new() { HasText = console.ProgramId }).First).ToBeVisibleAsync();
        await console.ScreenshotAsync(page, "daily-report");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download CSV" }).ClickAsync());
        Assert.Equal($"origination-{day}.csv", download.SuggestedFilename);
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.StartsWith("day,program,tier,channel,offers_live,", csv);
        Assert.Contains($"{day},{console.ProgramId},", csv);
    }

    [Fact]
    public async Task The_orleans_dashboard_opens_from_the_console_for_staff_only_and_never_shows_grain_state()
    {
        var anonymous = await console.Browser.NewPageAsync();
        Assert.Equal(401, (await anonymous.GotoAsync($"{console.Engine.BaseUrl}/dashboard/"))!.Status);

        var page = await console.SignedInPageAsync(EngineRoles.RiskAnalyst, "#/programs");
        var signedIn = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Link, new() { Name = "Orleans dashboard" }).ClickAsync(),
            response => response.Url.EndsWith("/api/v1/admin/session/dashboard", StringComparison.Ordinal));
        Assert.Equal(204, signedIn.Status);
        await page.WaitForURLAsync($"{console.Engine.BaseUrl}/dashboard/", DashboardOpened);
        var counters = await page.EvaluateAsync<JsonElement>("async () => (await fetch('/dashboard/DashboardCounters')).json()");
        Assert.True(counters.GetProperty("totalActiveHostCount").GetInt32() >= 1);
        var state = await page.EvaluateAsync<int>("async () => (await fetch('/dashboard/GrainState?grainId=customer/C0000001&grainType=customer')).status");
        Assert.Equal(403, state);
        await page.WaitForTimeoutAsync(2000);
        await console.ScreenshotAsync(page, "orleans-dashboard");

        // The cookie is scoped to the dashboard: it opens no API endpoint.
        var api = await page.EvaluateAsync<int>("async () => (await fetch('/api/v1/admin/programs')).status");
        Assert.Equal(401, api);

        // An operator reads no business data: the console offers it the dashboard alone.
        var operations = await console.SignedInPageAsync(EngineRoles.Operations, string.Empty);
        await Expect(operations.GetByRole(AriaRole.Heading, new() { Name = "Operations" })).ToBeVisibleAsync();
        await Expect(operations.GetByRole(AriaRole.Link, new() { Name = "Programs" })).ToBeHiddenAsync();
        var operatorSignedIn = await operations.RunAndWaitForResponseAsync(
            () => operations.GetByRole(AriaRole.Link, new() { Name = "Orleans dashboard" }).ClickAsync(),
            response => response.Url.EndsWith("/api/v1/admin/session/dashboard", StringComparison.Ordinal));
        Assert.Equal(204, operatorSignedIn.Status);
        await operations.WaitForURLAsync($"{console.Engine.BaseUrl}/dashboard/", DashboardOpened);
    }

    [Fact]
    public async Task The_audit_trail_lists_who_configured_the_program_and_filters_by_action()
    {
        var page = await console.SignedInPageAsync(EngineRoles.RiskAnalyst, "#/audit");
        await page.GetByLabel("Action").FillAsync("program.configure");
        await page.GetByLabel("Action").PressAsync("Enter");

        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = console.ProgramId }).Filter(new() { HasText = "program.configure" });
        await Expect(row.First).ToContainTextAsync(LocalTokenIssuer.DefaultSubject(EngineRoles.LendingAdmin));
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "run.start" })).ToHaveCountAsync(0);
        await console.ScreenshotAsync(page, "audit");
    }
}
