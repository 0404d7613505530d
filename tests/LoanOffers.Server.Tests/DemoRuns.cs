using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LoanOffers.Abstractions;
using LoanOffers.Domain;
using LoanOffers.Testing;

namespace LoanOffers.Server.Tests;

/// <summary>Seed 000's program over synthetic customers, driven through the HTTP API as a lending team would.</summary>
internal static class DemoRuns
{
    /// <summary>Seed 000's YAML for <paramref name="programId"/>, reading <paramref name="customers"/> customers of its own.</summary>
    public static string Yaml(string programId, int customers) => DemoPrograms.LoanOfferTargetingYaml
        .Replace("programId: \"loan-offer-targeting\"", $"programId: \"{programId}\"")
        .Replace("count: 200000", $"count: {customers}\n      idPrefix: \"{programId}-\"");

    /// <summary>Configures the program and starts a run; returns the run's id and status URL.</summary>
    public static async Task<(string RunId, string RunUrl)> StartAsync(HttpClient http, string programId, int customers)
    {
        var put = await http.PutAsync($"/api/v1/admin/programs/{programId}", new StringContent(Yaml(programId, customers), Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var start = await http.PostAsync($"/api/v1/admin/programs/{programId}/runs", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        return ((await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetString()!, start.Headers.Location!.ToString());
    }

    /// <summary>Runs the program as it is configured to the end (within two minutes); returns the run's report.</summary>
    public static async Task<JsonElement> RunConfiguredAsync(HttpClient http, string programId)
    {
        var start = await http.PostAsync($"/api/v1/admin/programs/{programId}/runs", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        return await UntilDoneAsync(http, start.Headers.Location!.ToString());
    }

    /// <summary>Polls a run's or simulation's status until it is no longer running (within two minutes).</summary>
    public static async Task<JsonElement> UntilDoneAsync(HttpClient http, string url)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var status = await http.GetFromJsonAsync<JsonElement>(url);
            if (status.GetProperty("state").GetString() != "Running")
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{url} did not finish: {status}");
            await Task.Delay(100);
        }
    }

    /// <summary>Configures the program and runs it to the end (within two minutes); returns the customers it offered.</summary>
    public static async Task<List<string>> RunToEndAsync(HttpClient http, string programId, int customers)
    {
        var (_, runUrl) = await StartAsync(http, programId, customers);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while ((await http.GetFromJsonAsync<JsonElement>(runUrl)).GetProperty("state").GetString() == "Running")
        {
            Assert.True(DateTime.UtcNow < deadline, $"The run of {programId} did not finish.");
            await Task.Delay(100);
        }

        return await IndexedCustomersAsync(http, programId);
    }

    /// <summary>Starts the run's campaign sending now and waits for it to complete; returns its last progress.</summary>
    public static async Task<JsonElement> CampaignToEndAsync(HttpClient http, string programId, string runId)
    {
        var campaignUrl = $"/api/v1/admin/programs/{programId}/runs/{runId}/campaign";
        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await http.PostAsJsonAsync(campaignUrl, new { sendNow = true })).StatusCode);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var progress = await http.GetFromJsonAsync<JsonElement>(campaignUrl);
            if (progress.GetProperty("status").GetString() == CampaignStatuses.Completed)
            {
                return progress;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The campaign did not complete: {progress}");
            await Task.Delay(200);
        }
    }

    /// <summary>Every customer in the program's candidate index, page by page; none may appear twice.</summary>
    public static async Task<List<string>> IndexedCustomersAsync(HttpClient http, string programId)
    {
        var customers = (await CandidatesAsync(http, programId)).Select(candidate => candidate.GetProperty("customerId").GetString()!).ToList();
        Assert.Equal(customers.Count, customers.Distinct().Count());
        return customers;
    }

    /// <summary>The tier of each customer in the program's candidate index.</summary>
    public static async Task<Dictionary<string, string>> TiersAsync(HttpClient http, string programId) =>
        (await CandidatesAsync(http, programId)).ToDictionary(candidate => candidate.GetProperty("customerId").GetString()!, candidate => candidate.GetProperty("tier").GetString()!);

    private static async Task<List<JsonElement>> CandidatesAsync(HttpClient http, string programId)
    {
        var candidates = new List<JsonElement>();
        string? continuation = null;
        do
        {
            var url = $"/api/v1/admin/programs/{programId}/candidates?minAmount=0&limit=1000" + (continuation is null ? string.Empty : "&continuation=" + Uri.EscapeDataString(continuation));
            var page = await http.GetFromJsonAsync<JsonElement>(url);
            candidates.AddRange(page.GetProperty("candidates").EnumerateArray());
            continuation = page.TryGetProperty("continuation", out var next) ? next.GetString() : null;
        }
        while (continuation is not null);
        return candidates;
    }

    /// <summary>The run's customers add up: every one processed once, counted under exactly one outcome.</summary>
    public static void AssertEveryCustomerCountedOnce(JsonElement run, int customers)
    {
        Assert.Equal("Completed", run.GetProperty("state").GetString());
        Assert.Equal(0, run.GetProperty("errors").GetInt32());
        Assert.Equal(customers, run.GetProperty("processed").GetInt32());
        Assert.Equal(customers, run.GetProperty("offered").GetInt32() + run.GetProperty("noOffer").GetInt32()
            + run.GetProperty("rejectedByFilter").EnumerateObject().Sum(filter => filter.Value.GetInt32()));
    }

    /// <summary>Settings for a test cluster of its own on <paramref name="azurite"/>.</summary>
    public static EngineClusterSettings NewCluster(AzuriteFixture azurite, string name) => new(
        azurite.ConnectionString,
        name + "-" + Guid.NewGuid().ToString("N")[..8],
        AzuriteFixture.UniqueName(name),
        Directory.CreateTempSubdirectory("loanoffers-" + name).FullName);
}
