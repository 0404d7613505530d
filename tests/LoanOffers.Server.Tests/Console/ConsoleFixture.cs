using System.Net.Http.Json;
using System.Text.Json;
using LoanOffers.Server.Security;
using Microsoft.Playwright;

namespace LoanOffers.Server.Tests.Console;

/// <summary>
/// The engine on a real loopback port with one program that has run and sent its campaign, and Debian's Chromium
/// driven by Playwright. Screenshots go to <see cref="ScreenshotDirectory"/> in the test output.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    /// <summary>Where Chromium is: Debian's package by default, as CI installs it.</summary>
    private static readonly string ChromiumPath = Environment.GetEnvironmentVariable("LOANOFFERS_CHROMIUM") ?? "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public EngineApiFactory Engine { get; } = EngineApiFactory.OnKestrel();

    public IBrowser Browser { get; private set; } = null!;

    public string ProgramId { get; } = "console-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The program's first run, completed, with its campaign sent.</summary>
    public string RunId { get; private set; } = null!;

    public string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "console-screenshots");

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(ChromiumPath), $"The browser tests drive Debian's Chromium at {ChromiumPath} (apt-get install chromium); set LOANOFFERS_CHROMIUM to use another.");
        await ((IAsyncLifetime)Engine).InitializeAsync();
        using var admin = Engine.CreateClient(EngineRoles.LendingAdmin);
        await DemoRuns.RunToEndAsync(admin, ProgramId, 150);
        RunId = (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/programs/{ProgramId}/runs"))[0].GetProperty("runId").GetString()!;
        await DemoRuns.CampaignToEndAsync(admin, ProgramId, RunId);

        Directory.CreateDirectory(ScreenshotDirectory);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // The machine reaches no outside network: Chromium's own background calls would only fail.
            Args = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A fresh browser tab signed in as <paramref name="role"/> through the console link the demo prints.</summary>
    public async Task<IPage> SignedInPageAsync(string role, string route)
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        await page.GotoAsync($"{Engine.BaseUrl}/console/#token={Engine.Token(role)}");
        await Assertions.Expect(page.Locator("#who")).ToContainTextAsync(role);
        await page.GotoAsync($"{Engine.BaseUrl}/console/{route}");
        return page;
    }

    public async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await ((IAsyncLifetime)Engine).DisposeAsync();
    }
}
