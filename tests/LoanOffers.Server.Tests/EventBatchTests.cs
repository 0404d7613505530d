using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LoanOffers.Server.Security;

namespace LoanOffers.Server.Tests;

/// <summary>The warehouse's daily changes in one request: every good line applied once, every bad one reported by number.</summary>
[Collection(ApiCollection.Name)]
public sealed class EventBatchTests(EngineApiFactory factory) : IAsyncLifetime
{
    private readonly HttpClient _admin = factory.CreateClient(EngineRoles.LendingAdmin);
    private readonly HttpClient _bank = factory.CreateClient(EngineRoles.OffersService);
    private readonly string _programId = "batch-events-" + Guid.NewGuid().ToString("N")[..6];
    private List<string> _offered = [];

    public async Task InitializeAsync()
    {
        _offered = await DemoRuns.RunToEndAsync(_admin, _programId, 300);
        Assert.True(_offered.Count >= 4, "The run offered fewer than four customers.");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Json_lines_apply_the_good_lines_once_and_report_the_bad_ones_by_number()
    {
        var (first, second) = (_offered[0], _offered[1]);
        var lines = string.Join('\n',
            $$"""{"customerId":"{{first}}","eventId":"b-1","kind":"prescreen-opt-out"}""",
            $$"""{"customerId":"{{second}}","eventId":"b-2","kind":"channel-opt-out","channel":"sms"}""",
            $$"""{"customerId":"{{first}}","eventId":"b-1","kind":"prescreen-opt-out"}""",
            $$"""{"customerId":"{{second}}","eventId":"b-3","kind":"moved-to-mars"}""",
            """{ not json""",
            $$"""{"customerId":"{{_programId}}-nobody","eventId":"b-4","kind":"late-payment"}""",
            "");

        var response = await _admin.PostAsync("/api/v1/admin/events:batch", new StringContent(lines, Encoding.UTF8, "application/x-ndjson"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((6, 2, 1, 1), (result.GetProperty("lines").GetInt32(), result.GetProperty("applied").GetInt32(), result.GetProperty("duplicates").GetInt32(), result.GetProperty("unknownCustomers").GetInt32()));
        Assert.True(result.GetProperty("offersWithdrawn").GetInt32() > 0);
        Assert.Equal([(4, "kind"), (5, "$"), (6, "customerId")],
            result.GetProperty("badLines").EnumerateArray().Select(bad => (bad.GetProperty("line").GetInt32(), bad.GetProperty("field").GetString()!)));
        Assert.Empty((await _bank.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{first}/offers")).GetProperty("offers").EnumerateArray());
        Assert.NotEmpty((await _bank.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{second}/offers")).GetProperty("offers").EnumerateArray());
    }

    [Fact]
    public async Task Csv_lines_go_in_the_same_way_and_a_bad_number_names_its_column_not_its_value()
    {
        var csv = "customer_id,event_id,kind,channel,annual_income,score,state\n"
            + $"{_offered[2]},c-1,income-changed,,1000,,\n"
            + $"{_offered[3]},c-2,credit-score-changed,,,eight-hundred,\n";

        var response = await _admin.PostAsync("/api/v1/admin/events:batch", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(1, result.GetProperty("applied").GetInt32());
        var bad = Assert.Single(result.GetProperty("badLines").EnumerateArray());
        Assert.Equal((3, "score", "score (column 6) is not a whole number."), (bad.GetProperty("line").GetInt32(), bad.GetProperty("field").GetString(), bad.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Only_the_lending_team_sends_a_batch_and_only_as_json_lines_or_csv()
    {
        var asBank = await _bank.PostAsync("/api/v1/admin/events:batch", new StringContent("", Encoding.UTF8, "application/x-ndjson"));
        var asJson = await _admin.PostAsync("/api/v1/admin/events:batch", new StringContent("[]", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Forbidden, asBank.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, asJson.StatusCode);
        Assert.True((await asJson.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("Content-Type", out _));
    }
}
