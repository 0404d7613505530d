using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LoanOffers.Abstractions;
using LoanOffers.Domain;
using LoanOffers.Server.Security;
using LoanOffers.Storage.AzureTables;
using Microsoft.Extensions.DependencyInjection;

namespace LoanOffers.Server.Tests;

/// <summary>
/// After the offer: outcomes of applications, the run report's funnel, retraining's labelled history, the firm-offer
/// records compliance reads, and every decision's principal reasons.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class OfferRecordsTests(EngineApiFactory factory) : IAsyncLifetime
{
    private const int Customers = 300;
    private readonly HttpClient _admin = factory.CreateClient(EngineRoles.LendingAdmin);
    private readonly HttpClient _risk = factory.CreateClient(EngineRoles.RiskAnalyst);
    private readonly HttpClient _bank = factory.CreateClient(EngineRoles.OffersService);
    private readonly string _programId = "records-" + Guid.NewGuid().ToString("N")[..8];
    private List<string> _offered = [];

    public async Task InitializeAsync()
    {
        _offered = await DemoRuns.RunToEndAsync(_admin, _programId, Customers);
        Assert.True(_offered.Count >= 10, "The run offered fewer than ten customers.");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<List<JsonElement>> LiveOffersAsync(string customerId) =>
        [.. (await _bank.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{customerId}/offers")).GetProperty("offers").EnumerateArray()];

    private async Task<(JsonElement Application, JsonElement Offer)> ApplyAsync(string customerId)
    {
        var offer = (await LiveOffersAsync(customerId))[0];
        var accepted = await _bank.PostAsync($"/api/v1/customers/{customerId}/offers/{offer.GetProperty("offerId").GetString()}/accept", null);
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        return (await accepted.Content.ReadFromJsonAsync<JsonElement>(), offer);
    }

    private Task<HttpResponseMessage> RecordAsync(string applicationId, object outcome) =>
        _admin.PostAsJsonAsync($"/api/v1/applications/{applicationId}/outcome", outcome);

    [Fact]
    public async Task A_funded_outcome_is_recorded_once_shown_to_its_customer_and_counted_in_the_run_report_by_tier()
    {
        var customerId = _offered[0];
        var (application, offer) = await ApplyAsync(customerId);
        var applicationId = application.GetProperty("applicationId").GetString()!;
        var amount = offer.GetProperty("amount").GetDecimal();
        var funded = new { outcome = "funded", amount, fundedOn = "2026-12-01" };

        var first = await RecordAsync(applicationId, funded);
        var again = await RecordAsync(applicationId, funded);
        var contrary = await RecordAsync(applicationId, new { outcome = "declined", reasons = new[] { "Income not verified" } });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var recorded = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("funded", recorded.GetProperty("status").GetString());
        Assert.Equal(amount, recorded.GetProperty("outcome").GetProperty("fundedAmount").GetDecimal());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, contrary.StatusCode);

        using var customer = factory.CreateClient(EngineRoles.Customer, customerId);
        using var stranger = factory.CreateClient(EngineRoles.Customer, _offered[1]);
        Assert.Equal("funded", (await customer.GetFromJsonAsync<JsonElement>($"/api/v1/applications/{applicationId}")).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/v1/applications/{applicationId}")).StatusCode);
        var decisions = await _risk.GetFromJsonAsync<JsonElement>($"/api/v1/admin/customers/{customerId}/decisions");
        Assert.Equal("funded", Assert.Single(decisions.GetProperty("applications").EnumerateArray()).GetProperty("status").GetString());

        var runId = (await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/programs/{_programId}/runs"))[0].GetProperty("runId").GetString();
        var report = await _risk.GetFromJsonAsync<JsonElement>($"/api/v1/admin/programs/{_programId}/runs/{runId}");
        var tier = report.GetProperty("outcomesByTier").GetProperty(offer.GetProperty("tier").GetString()!);
        Assert.True(tier.GetProperty("applied").GetInt32() >= 1);
        Assert.True(tier.GetProperty("funded").GetInt32() >= 1);
        Assert.True(tier.GetProperty("fundedAmount").GetDecimal() >= amount);

        var audit = await _risk.GetFromJsonAsync<JsonElement>("/api/v1/admin/audit?action=application.outcome&limit=100");
        Assert.Single(audit.GetProperty("entries").EnumerateArray(), entry => entry.GetProperty("target").GetString() == applicationId);
    }

    [Fact]
    public async Task Declined_and_funded_outcomes_become_labelled_rows_with_the_applicants_model_features()
    {
        var fundedId = (await ApplyAsync(_offered[2])).Application.GetProperty("applicationId").GetString()!;
        var declinedId = (await ApplyAsync(_offered[3])).Application.GetProperty("applicationId").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await RecordAsync(fundedId, new { outcome = "funded", amount = 1000, fundedOn = "2026-12-02" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RecordAsync(declinedId, new { outcome = "declined", reasons = new[] { "Employment not verified" } })).StatusCode);

        var labelled = await factory.Services.GetRequiredService<ApplicationLedger>().LabelledOutcomesAsync("loan-approval-v4");

        var funded = Assert.Single(labelled, row => row.CustomerId == _offered[2]);
        var declined = Assert.Single(labelled, row => row.CustomerId == _offered[3]);
        Assert.True(funded.Funded);
        Assert.False(declined.Funded);
        var decision = await _risk.GetFromJsonAsync<JsonElement>($"/api/v1/admin/customers/{_offered[2]}/records");
        var inputs = decision.GetProperty("records")[0].GetProperty("decisionInputs");
        Assert.Equal(ModelFeatures.Names.Count, funded.Features.Count);
        Assert.Equal(inputs.GetProperty("creditScore").GetInt32(), funded.Features[ModelFeatures.Names.ToList().IndexOf(ModelFeatures.CreditScore)]);
    }

    [Fact]
    public async Task Retraining_without_a_file_reads_the_recorded_outcomes_and_says_when_they_are_too_few()
    {
        using var modelOps = factory.CreateClient(EngineRoles.ModelOps);

        var approval = await modelOps.PostAsJsonAsync("/api/v1/admin/models/loan-approval-v4/retrain", new { });
        var risk = await modelOps.PostAsJsonAsync("/api/v1/admin/models/default-risk-v3/retrain", new { });

        Assert.Equal(HttpStatusCode.BadRequest, approval.StatusCode);
        Assert.Contains("Recorded outcomes", (await approval.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("outcomesPath")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, risk.StatusCode);
        Assert.Contains("label only 'approved'", (await risk.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("outcomesPath")[0].GetString());
    }

    [Theory]
    [InlineData("""{"outcome":"won"}""", "outcome")]
    [InlineData("""{"outcome":"funded","fundedOn":"2026-12-01"}""", "amount")]
    [InlineData("""{"outcome":"funded","amount":-5,"fundedOn":"2026-12-01"}""", "amount")]
    [InlineData("""{"outcome":"funded","amount":1000}""", "fundedOn")]
    [InlineData("""{"outcome":"declined"}""", "reasons")]
    [InlineData("""{"outcome":"declined","reasons":[""]}""", "reasons")]
    [InlineData("""{"outcome":"declined","reasons":["x"],"amount":5}""", "amount")]
    public async Task A_malformed_outcome_is_refused_naming_the_field(string body, string field)
    {
        var response = await _admin.PostAsync("/api/v1/applications/AP-none/outcome", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _), body);
    }

    [Fact]
    public async Task A_funded_amount_above_the_offer_is_refused()
    {
        var (application, offer) = await ApplyAsync(_offered[4]);

        var response = await RecordAsync(application.GetProperty("applicationId").GetString()!,
            new { outcome = "funded", amount = offer.GetProperty("amount").GetDecimal() + 1, fundedOn = "2026-12-01" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("amount", out _));
    }

    [Fact]
    public async Task A_firm_offer_record_keeps_the_terms_program_version_criteria_inputs_and_scores_for_25_months()
    {
        var customerId = _offered[5];
        var live = await LiveOffersAsync(customerId);

        var body = await _risk.GetFromJsonAsync<JsonElement>($"/api/v1/admin/customers/{customerId}/records");

        var record = Assert.Single(body.GetProperty("records").EnumerateArray());
        Assert.Equal((_programId, 1), (record.GetProperty("programId").GetString(), record.GetProperty("programVersion").GetInt32()));
        Assert.Equal(
            live.Select(offer => (offer.GetProperty("offerId").GetString(), offer.GetProperty("amount").GetDecimal(), offer.GetProperty("apr").GetDecimal())).Order(),
            record.GetProperty("offers").EnumerateArray().Select(offer => (offer.GetProperty("offerId").GetString(), offer.GetProperty("amount").GetDecimal(), offer.GetProperty("apr").GetDecimal())).Order());
        var models = record.GetProperty("models").EnumerateArray().Select(model => model.GetProperty("modelId").GetString()).ToList();
        Assert.Equal(["loan-approval-v4", "default-risk-v3"], models);
        Assert.All(record.GetProperty("models").EnumerateArray(), model => Assert.InRange(model.GetProperty("score").GetDouble(), 0, 1));
        var inputs = record.GetProperty("decisionInputs");
        Assert.Equal(customerId, inputs.GetProperty("customerId").GetString());
        Assert.False(inputs.TryGetProperty("email", out _));
        Assert.Equal(record.GetProperty("madeAt").GetDateTimeOffset().AddMonths(25), record.GetProperty("retainUntil").GetDateTimeOffset());
        var criteria = Assert.Single(body.GetProperty("criteria").EnumerateArray());
        Assert.Equal(1, criteria.GetProperty("version").GetInt32());
        Assert.Contains(criteria.GetProperty("config").GetProperty("filterChain").EnumerateArray(), filter => filter.GetProperty("filterId").GetString() == "credit-qualification");
    }

    [Fact]
    public async Task Every_decision_names_its_principal_reasons_in_order_of_weight()
    {
        var explained = 0;
        foreach (var customerId in _offered.Skip(6).Take(10))
        {
            var decisions = await _risk.GetFromJsonAsync<JsonElement>($"/api/v1/admin/customers/{customerId}/decisions");
            var scored = decisions.GetProperty("programs").EnumerateArray().Single(program => program.GetProperty("programId").GetString() == _programId).GetProperty("decision");
            var reasons = scored.GetProperty("principalReasons").EnumerateArray().ToList();
            var weights = reasons.Select(reason => reason.GetProperty("weight").GetDouble()).ToList();
            Assert.InRange(weights.Count, 0, 4);
            Assert.Equal(weights.OrderDescending(), weights);
            Assert.All(weights, weight => Assert.True(weight > 0));
            Assert.All(reasons, reason => Assert.StartsWith("SCORE_", reason.GetProperty("code").GetString()));
            explained += reasons.Count > 0 ? 1 : 0;
        }

        Assert.True(explained > 0, "No scored decision named a feature that lowered its approval score.");

        var rejections = new List<JsonElement>();
        for (var number = 1; number <= Customers && rejections.Count < 3; number++)
        {
            var id = $"{_programId}-C{number:D7}";
            var decisions = await _risk.GetFromJsonAsync<JsonElement>($"/api/v1/admin/customers/{id}/decisions");
            var decision = decisions.GetProperty("programs")[0].GetProperty("decision");
            if (decision.GetProperty("outcome").GetString() == nameof(DecisionOutcome.Rejected))
            {
                rejections.Add(decision);
            }
        }

        Assert.NotEmpty(rejections);
        Assert.All(rejections, decision => Assert.Equal(
            decision.GetProperty("filterResult").GetProperty("reasonCode").GetString(),
            Assert.Single(decision.GetProperty("principalReasons").EnumerateArray()).GetProperty("code").GetString()));
    }
}
