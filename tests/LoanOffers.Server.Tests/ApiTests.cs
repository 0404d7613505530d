using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LoanOffers.Domain;
using LoanOffers.Server.Security;

namespace LoanOffers.Server.Tests;

[Collection(ApiCollection.Name)]
public sealed class ApiTests(EngineApiFactory factory)
{
    private readonly HttpClient _admin = factory.CreateClient(EngineRoles.LendingAdmin);
    private readonly HttpClient _offers = factory.CreateClient(EngineRoles.OffersService);
    private readonly HttpClient _anonymous = factory.CreateClient();

    private static string NewProgramId() => "prog-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<JsonElement> PutYamlAsync(string programId, string yaml, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await _admin.PutAsync($"/api/v1/admin/programs/{programId}", new StringContent(yaml, Encoding.UTF8, "application/yaml"));
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> RunToCompletionAsync(string programId)
    {
        var start = await _admin.PostAsync($"/api/v1/admin/programs/{programId}/runs", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = start.Headers.Location!.ToString();
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var run = await _admin.GetFromJsonAsync<JsonElement>(location);
            if (run.GetProperty("state").GetString() != "Running" || DateTime.UtcNow > deadline)
            {
                return run;
            }

            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Seed_yaml_is_accepted_as_it_stands_versioned_and_read_back_as_json()
    {
        var programId = NewProgramId();

        var first = await PutYamlAsync(programId, DemoRuns.Yaml(programId, 10));
        var second = await PutYamlAsync(programId, DemoRuns.Yaml(programId, 10));
        var read = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/programs/{programId}");

        Assert.Equal(1, first.GetProperty("version").GetInt32());
        Assert.Equal(2, second.GetProperty("version").GetInt32());
        Assert.Equal(3, read.GetProperty("loanOfferStrategy").GetProperty("segments").GetArrayLength());
        Assert.Equal("cron(0 2 ? * MON *)", read.GetProperty("batchSchedule").GetString());
    }

    [Fact]
    public async Task Every_program_document_the_api_returns_in_json_or_yaml_is_accepted_back_and_versions_are_kept_with_their_diff()
    {
        var programId = NewProgramId();
        await PutYamlAsync(programId, DemoRuns.Yaml(programId, 10));
        var url = $"/api/v1/admin/programs/{programId}";

        // Each GET is PUT back as it came: JSON, then YAML, then a stored version.
        var json = await _admin.GetStringAsync(url);
        var afterJson = await _admin.PutAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));
        using var yamlRequest = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "Accept", "application/yaml" } } };
        var yamlResponse = await _admin.SendAsync(yamlRequest);
        var yaml = await yamlResponse.Content.ReadAsStringAsync();
        var afterYaml = await _admin.PutAsync(url, new StringContent(yaml, Encoding.UTF8, "application/yaml"));
        var first = await _admin.GetStringAsync($"{url}/versions/1");
        var afterFirst = await _admin.PutAsync(url, new StringContent(first, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, afterJson.StatusCode);
        Assert.Equal("application/yaml", yamlResponse.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("programId: ", yaml);
        Assert.Contains("creditScoreRange:", yaml);
        Assert.Equal(HttpStatusCode.OK, afterYaml.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterFirst.StatusCode);

        // Every version read back is the same program: only the version number moves.
        var versions = await _admin.GetFromJsonAsync<JsonElement>($"{url}/versions");
        Assert.Equal([1, 2, 3, 4], versions.EnumerateArray().Select(version => version.GetProperty("version").GetInt32()));
        foreach (var version in new[] { 2, 3, 4 })
        {
            var diff = await _admin.GetFromJsonAsync<JsonElement>($"{url}/versions/{version}/diff");
            Assert.Empty(diff.GetProperty("changes").EnumerateArray());
        }

        var changed = await _admin.PutAsync(url, new StringContent(DemoRuns.Yaml(programId, 10).Replace("interestRate: 6.5", "interestRate: 7"), Encoding.UTF8, "application/yaml"));
        var lastDiff = await _admin.GetFromJsonAsync<JsonElement>($"{url}/versions/5/diff?from=1");
        var readBack = await _admin.GetStringAsync(url);

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(["loanOfferStrategy.segments[1].interestRate: 6.5 → 7"], lastDiff.GetProperty("changes").EnumerateArray().Select(change => change.GetString()));
        Assert.Equal(HttpStatusCode.OK, (await _admin.PutAsync(url, new StringContent(readBack, Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetAsync($"{url}/versions/99")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetAsync($"{url}/versions/2/diff?from=42")).StatusCode);
    }

    [Fact]
    public async Task An_invalid_program_is_rejected_with_every_error_named_by_its_path()
    {
        var programId = NewProgramId();
        var yaml = DemoRuns.Yaml(programId, 10).Replace("interestRate: 6.5", "interestRate: -6.5").Replace("maxLoanAmount: 15000", "maxLoanAmount: 0");

        var problem = await PutYamlAsync(programId, yaml, HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("loanOfferStrategy.segments[1].interestRate", out _), errors.ToString());
        Assert.True(errors.TryGetProperty("loanOfferStrategy.segments[2].maxLoanAmount", out _), errors.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetAsync($"/api/v1/admin/programs/{programId}")).StatusCode);
    }

    [Fact]
    public async Task A_program_for_another_id_or_broken_json_is_a_bad_request()
    {
        var programId = NewProgramId();

        var mismatch = await PutYamlAsync(programId, DemoRuns.Yaml("someone-else", 10), HttpStatusCode.BadRequest);
        var broken = await _admin.PutAsync($"/api/v1/admin/programs/{programId}", new StringContent("{ not json", Encoding.UTF8, "application/json"));

        Assert.True(mismatch.GetProperty("errors").TryGetProperty("programId", out _));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Equal("application/problem+json", broken.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task A_run_serves_ranked_offers_candidates_by_tier_and_real_time_offers()
    {
        var programId = NewProgramId();
        await PutYamlAsync(programId, DemoRuns.Yaml(programId, 800));

        var run = await RunToCompletionAsync(programId);

        Assert.Equal("Completed", run.GetProperty("state").GetString());
        Assert.Equal(800, run.GetProperty("processed").GetInt32());
        var candidates = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/programs/{programId}/candidates?tier=excellent&minScore=0.8&limit=5");
        var list = candidates.GetProperty("candidates").EnumerateArray().ToList();
        Assert.NotEmpty(list);
        Assert.All(list, c => Assert.True(c.GetProperty("score").GetDouble() >= 0.8));
        var scores = list.Select(c => c.GetProperty("score").GetDouble()).ToList();
        Assert.Equal(scores.OrderDescending(), scores);

        var customerId = list[0].GetProperty("customerId").GetString();
        var offers = await _offers.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{customerId}/offers");
        var ranked = offers.GetProperty("offers").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, ranked.Count), ranked.Select(o => o.GetProperty("rank").GetInt32()));
        Assert.All(ranked, o => Assert.True(o.GetProperty("amount").GetDecimal() <= 50_000m));
        Assert.All(ranked, o => Assert.Equal(programId, o.GetProperty("programId").GetString()));

        var realTime = await _offers.PostAsJsonAsync("/api/v1/offers", new { userId = customerId, requestedAmount = 20_000, requestedTenure = 36, programId });
        Assert.Equal(HttpStatusCode.OK, realTime.StatusCode);
        var body = await realTime.Content.ReadFromJsonAsync<JsonElement>();
        var first = body.GetProperty("offers")[0];
        foreach (var name in new[] { "offerId", "roi", "amount", "tenure", "processingFee", "rank", "conversionProbability", "apr" })
        {
            Assert.True(first.TryGetProperty(name, out _), $"offer lacks {name}");
        }

        Assert.True(first.GetProperty("apr").GetDecimal() > first.GetProperty("roi").GetDecimal());
        Assert.Equal((20_000m, 36), (first.GetProperty("amount").GetDecimal(), first.GetProperty("tenure").GetInt32()));
        Assert.Equal(first.GetProperty("offerId").GetString(), body.GetProperty("matchedOfferId").GetString());
    }

    [Fact]
    public async Task A_second_run_while_one_is_going_is_a_conflict()
    {
        var programId = NewProgramId();
        await PutYamlAsync(programId, DemoRuns.Yaml(programId, 3000));

        var first = await _admin.PostAsync($"/api/v1/admin/programs/{programId}/runs", null);
        var second = await _admin.PostAsync($"/api/v1/admin/programs/{programId}/runs", null);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        var problem = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("runId").GetString()));
    }

    [Theory]
    [InlineData("/api/v1/customers/bad%20id/offers", "customerId")]
    [InlineData("/api/v1/admin/programs/loan-offer-targeting/candidates?tier=excellent&limit=0", "limit")]
    [InlineData("/api/v1/admin/programs/loan-offer-targeting/candidates?tier=excellent&minScore=2", "minScore")]
    [InlineData("/api/v1/admin/programs/loan-offer-targeting/candidates", "tier")]
    [InlineData("/api/v1/admin/programs/..%2F..%2Fetc/runs/x", "programId")]
    public async Task Bad_query_input_names_the_field(string url, string field)
    {
        var response = await (url.StartsWith("/api/v1/customers", StringComparison.Ordinal) ? _offers : _admin).GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Bad_offer_requests_name_every_field()
    {
        var response = await _offers.PostAsJsonAsync("/api/v1/offers", new { userId = "", requestedAmount = -1, requestedTenure = 500 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("userId", out _));
        Assert.True(errors.TryGetProperty("requestedAmount", out _));
        Assert.True(errors.TryGetProperty("requestedTenure", out _));
    }

    [Fact]
    public async Task Unknown_customers_and_programs_are_not_found()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _offers.GetAsync("/api/v1/customers/nobody-here/offers")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.PostAsync($"/api/v1/admin/programs/{NewProgramId()}/runs", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _offers.PostAsJsonAsync("/api/v1/offers", new { userId = "nobody-here", programId = NewProgramId() })).StatusCode);
    }

    [Fact]
    public async Task Health_readiness_and_the_openapi_document_answer()
    {
        Assert.Equal(HttpStatusCode.OK, (await _anonymous.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _anonymous.GetAsync("/readyz")).StatusCode);
        var openApi = await _admin.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/api/v1/customers/{customerId}/offers", out _));
    }
}
