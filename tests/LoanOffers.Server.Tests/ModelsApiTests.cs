using LoanOffers.Server.Security;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LoanOffers.Scoring.Training;

namespace LoanOffers.Server.Tests;

[Collection(ApiCollection.Name)]
public sealed class ModelsApiTests(EngineApiFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient(EngineRoles.ModelOps);

    [Fact]
    public async Task The_served_models_are_the_two_trained_ones_with_their_cards()
    {
        var models = await _client.GetFromJsonAsync<JsonElement>("/api/v1/admin/models");

        var ids = models.EnumerateArray().Select(card => card.GetProperty("modelId").GetString()).ToList();
        Assert.Equal(["default-risk-v3", "loan-approval-v4"], ids);
        Assert.All(models.EnumerateArray(), card => Assert.Equal(4, card.GetProperty("features").GetArrayLength()));
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("missing.csv")]
    public async Task Retraining_reads_only_existing_files_inside_the_data_directory(string path)
    {
        var response = await _client.PostAsJsonAsync("/api/v1/admin/models/loan-approval-v4/retrain", new { outcomesPath = path });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("outcomesPath", out _));
    }

    [Fact]
    public async Task Retraining_on_recorded_outcomes_compares_both_models_on_the_same_rows_and_rollback_restores_the_old_one()
    {
        var file = Guid.NewGuid().ToString("N") + ".csv";
        await using (var writer = File.CreateText(Path.Combine(factory.DataDirectory, file)))
        {
            SyntheticHistory.WriteCsv(writer, SyntheticHistory.Generate(6_000, 99));
        }

        var response = await _client.PostAsJsonAsync("/api/v1/admin/models/default-risk-v3/retrain", new { outcomesPath = file });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("1", result.GetProperty("currentVersion").GetString());
        Assert.True(result.GetProperty("currentMetrics").GetProperty("auc").GetDouble() > 0.5);
        Assert.True(result.GetProperty("candidate").GetProperty("metrics").GetProperty("auc").GetDouble() > 0.5);
        var rollback = await _client.PostAsync("/api/v1/admin/models/default-risk-v3/rollback", null);
        if (result.GetProperty("promoted").GetBoolean())
        {
            Assert.Equal(HttpStatusCode.OK, rollback.StatusCode);
            Assert.Equal("1", await rollback.Content.ReadFromJsonAsync<string>());
        }
        else
        {
            Assert.Equal(HttpStatusCode.Conflict, rollback.StatusCode);
        }
    }
}
