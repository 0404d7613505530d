using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LoanOffers.Domain;
using LoanOffers.Scoring;
using LoanOffers.Scoring.Models;
using LoanOffers.Server.Security;

namespace LoanOffers.Server.Tests;

/// <summary>
/// A bank's own model end to end: trained on columns named unlike any engine field, published to the engine's model
/// store, named by a program whose CSV connector carries those columns, scored in a run, and read back in the
/// decision's scores and principal reasons. And the checks a program's models meet when it is saved.
/// </summary>
public sealed class BankModelTests : IAsyncLifetime
{
    private const string ModelId = "bank-approval";
    private static readonly string[] Columns = ["bureau_grade", "util_pct", "branch_visits"];

    private const string CoreChallenger = "loan-approval-v5";

    /// <summary>The served version, 2, leaves out the branch visits that version 1 took.</summary>
    private static readonly string[] Served = ["bureau_grade", "util_pct"];

    private readonly EngineApiFactory _engine = EngineApiFactory.With();

    public async Task InitializeAsync()
    {
        // Published before the engine starts, as a bank's model-ops team would drop a trained model into the store.
        var history = Path.Combine(_engine.DataDirectory, "bank-history.csv");
        await File.WriteAllTextAsync(history, History(3_000, seed: 17, withLabel: true));
        foreach (var (version, features) in new[] { ("1", Columns), ("2", Served) })
        {
            var output = new StringWriter();
            var exit = await TrainingCommand.RunAsync(
                ["train", "--input", history, "--label", "repaid", "--role", ModelRoles.Approval, "--model-id", ModelId, "--version", version,
                 "--features", string.Join(',', features), "--trees", "30", "--output", Path.Combine(_engine.ModelDirectory, ModelId, version)], output);
            Assert.True(exit == 0, output.ToString());
        }

        new ModelStore(_engine.ModelDirectory).Activate(ModelId, "2");

        // A second approval model on the core fields, to challenge the shipped one on recorded outcomes.
        var synthetic = Path.Combine(_engine.DataDirectory, "synthetic-history.csv");
        var trained = new StringWriter();
        Assert.Equal(0, await TrainingCommand.RunAsync(["generate-history", "--rows", "3000", "--seed", "8", "--output", synthetic], trained));
        Assert.Equal(0, await TrainingCommand.RunAsync(
            ["train", "--input", synthetic, "--label", "approved", "--role", ModelRoles.Approval, "--model-id", CoreChallenger, "--trees", "20",
             "--features", "credit_score,income,debt_to_income,payment_history", "--output", Path.Combine(_engine.ModelDirectory, CoreChallenger, "1")], trained));
        new ModelStore(_engine.ModelDirectory).Activate(CoreChallenger, "1");
        await ((IAsyncLifetime)_engine).InitializeAsync();
    }

    public Task DisposeAsync() => ((IAsyncLifetime)_engine).DisposeAsync();

    /// <summary>Rows of the bank's own columns; repayment follows the bureau grade, then utilisation; branch visits are noise.</summary>
    private static string History(int rows, int seed, bool withLabel)
    {
        var random = new Random(seed);
        var csv = new StringBuilder("id," + string.Join(',', Columns) + (withLabel ? ",repaid" : string.Empty) + "\n");
        for (var row = 0; row < rows; row++)
        {
            var grade = random.Next(1, 11);
            var utilisation = Math.Round(random.NextDouble() * 100, 1);
            var repaid = random.NextDouble() < 1 / (1 + Math.Exp(-(1.2 * (grade - 5.5) - 0.04 * (utilisation - 50))));
            csv.Append(CultureInfo.InvariantCulture, $"H{row:D5},{grade},{utilisation},{random.Next(0, 6)}");
            csv.Append(withLabel ? (repaid ? ",1\n" : ",0\n") : "\n");
        }

        return csv.ToString();
    }

    /// <summary>A customer file in the engine's format with the bank's three columns appended to every row.</summary>
    private async Task<string> CustomerFileAsync(string programId, int customers)
    {
        var profiles = SyntheticCustomers.Generate(customers, 23).Select(profile => profile with { CustomerId = $"{programId}-{profile.CustomerId}" });
        var core = new StringWriter();
        CustomerCsvWriter.Write(core, profiles);
        var own = History(customers, seed: 29, withLabel: false).Split('\n');
        var lines = core.ToString().TrimEnd('\n').Split('\n')
            .Select((line, i) => line + "," + string.Join(',', own[i].Split(',').Skip(1)));
        var file = programId + ".csv";
        await File.WriteAllTextAsync(Path.Combine(_engine.DataDirectory, file), string.Join('\n', lines) + "\n");
        return file;
    }

    private const string SeedApproval =
        "  - modelId: \"loan-approval-v4\"\n    endpoint: \"sagemaker://loan-approval-v4\"\n    features: [\"credit_score\", \"income\", \"debt_to_income\", \"payment_history\"]\n";

    private const string SeedDefault =
        "  - modelId: \"default-risk-v3\"\n    endpoint: \"sagemaker://default-risk-v3\"\n    features: [\"account_age\", \"deposit_balance\", \"transaction_patterns\", \"savings_rate\"]\n";

    /// <summary>The demo program on the CSV file, with <paramref name="approvalModels"/> in place of seed 000's approval model.</summary>
    private static string Program(string programId, string file, string approvalModels) => Models(DemoRuns.Yaml(programId, 1)
        .Replace("type: \"synthetic\"", "type: \"csv\"")
        .Replace("count: 1\n", $"path: \"{file}\"\n"), approvalModels);

    private static string Models(string yaml, string approvalModels)
    {
        Assert.Contains(SeedApproval, yaml);
        return yaml.Replace(SeedApproval, approvalModels);
    }

    private static string BankApproval(string features = "\"bureau_grade\", \"util_pct\"", string role = "approval") =>
        $"  - modelId: \"{ModelId}\"\n    endpoint: \"onnx://{ModelId}\"\n    role: \"{role}\"\n    features: [{features}]\n";

    /// <summary>Saves the program, which must be accepted.</summary>
    private static async Task SaveAsync(HttpClient admin, string programId, string yaml)
    {
        var put = await admin.PutAsync($"/api/v1/admin/programs/{programId}", new StringContent(yaml, Encoding.UTF8, "application/yaml"));
        Assert.True(put.StatusCode == HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
    }

    /// <summary>Saves the program, which must be refused; the errors by path.</summary>
    private static async Task<JsonElement> RefusedAsync(HttpClient admin, string programId, string yaml) =>
        await ErrorsAsync(await admin.PutAsync($"/api/v1/admin/programs/{programId}", new StringContent(yaml, Encoding.UTF8, "application/yaml")));

    private static async Task<JsonElement> ErrorsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
    }

    [Fact]
    public async Task A_model_trained_on_the_banks_own_columns_scores_in_a_run_and_its_features_are_the_decisions_reasons()
    {
        using var admin = _engine.CreateClient(EngineRoles.LendingAdmin);
        using var risk = _engine.CreateClient(EngineRoles.RiskAnalyst);
        var programId = "bank-" + Guid.NewGuid().ToString("N")[..8];
        var file = await CustomerFileAsync(programId, 300);

        await SaveAsync(admin, programId, Program(programId, file, BankApproval()));
        var run = await DemoRuns.RunConfiguredAsync(admin, programId);
        Assert.Equal(("Completed", 300, 0), (run.GetProperty("state").GetString(), run.GetProperty("processed").GetInt32(), run.GetProperty("errors").GetInt32()));
        var offered = await DemoRuns.IndexedCustomersAsync(admin, programId);
        Assert.NotEmpty(offered);

        var decisions = await risk.GetFromJsonAsync<JsonElement>($"/api/v1/admin/customers/{offered[0]}/decisions");
        var decision = Assert.Single(decisions.GetProperty("programs").EnumerateArray()).GetProperty("decision");
        var scores = decision.GetProperty("modelScores").EnumerateArray().ToDictionary(score => score.GetProperty("modelId").GetString()!, score => score.GetProperty("score").GetDouble());
        Assert.Equal(new[] { ModelId, "default-risk-v3" }, scores.Keys);
        Assert.Equal(decision.GetProperty("approvalProbability").GetDouble(), scores[ModelId]);

        // A feature is a principal reason where it lowered the customer's approval score: the bank's columns, for some.
        var reasons = new List<string?>();
        foreach (var customerId in offered.Take(20))
        {
            var their = (await risk.GetFromJsonAsync<JsonElement>($"/api/v1/admin/customers/{customerId}/decisions")).GetProperty("programs")[0].GetProperty("decision");
            reasons.AddRange(their.GetProperty("principalReasons").EnumerateArray().Select(reason => reason.GetProperty("code").GetString()));
        }

        Assert.NotEmpty(reasons);
        Assert.All(reasons, code => Assert.Contains(code, Served.Select(ModelFeatures.ReasonCode)));
    }

    [Fact]
    public async Task Saving_a_program_checks_each_model_against_its_card_and_the_connector_and_names_the_path()
    {
        using var admin = _engine.CreateClient(EngineRoles.LendingAdmin);
        var programId = "bank-" + Guid.NewGuid().ToString("N")[..8];
        var file = await CustomerFileAsync(programId, 5);

        var wrongRole = await RefusedAsync(admin, programId, Program(programId, file, BankApproval(role: ModelRoles.DefaultRisk)));
        Assert.Contains("whose card says 'approval'", wrongRole.GetProperty("scoringModels[0].role")[0].GetString());

        var otherFeatures = await RefusedAsync(admin, programId, Program(programId, file, BankApproval(features: "\"bureau_grade\", \"util_pct\", \"branch_visits\"")));
        Assert.Contains("version 2 takes [bureau_grade, util_pct], not [bureau_grade, util_pct, branch_visits]", otherFeatures.GetProperty("scoringModels[0].features")[0].GetString());

        var unsupplied = await RefusedAsync(admin, programId, Models(DemoRuns.Yaml(programId, 10), BankApproval()));
        Assert.Contains("needs bureau_grade, util_pct, which the connector does not supply", unsupplied.GetProperty("scoringModels[0].features")[0].GetString());

        var twoApprovals = await RefusedAsync(admin, programId, Program(programId, file, BankApproval() + SeedApproval).Replace(SeedDefault, string.Empty));
        Assert.Contains("exactly one approval model; this one has 2", twoApprovals.GetProperty("scoringModels")[0].GetString());

        var unknown = await RefusedAsync(admin, programId, Program(programId, file, BankApproval().Replace($"modelId: \"{ModelId}\"", "modelId: \"no-such-model\"")));
        Assert.Equal("no model 'no-such-model' is registered", unknown.GetProperty("scoringModels[0].modelId")[0].GetString());
    }

    [Fact]
    public async Task A_rollback_to_a_version_the_programs_using_the_model_do_not_fit_is_refused_and_changes_nothing()
    {
        using var admin = _engine.CreateClient(EngineRoles.LendingAdmin);
        using var modelOps = _engine.CreateClient(EngineRoles.ModelOps);
        var programId = "bank-" + Guid.NewGuid().ToString("N")[..8];
        var file = await CustomerFileAsync(programId, 5);
        await SaveAsync(admin, programId, Program(programId, file, BankApproval()));

        var rollback = await modelOps.PostAsync($"/api/v1/admin/models/{ModelId}/rollback", null);

        Assert.Equal(HttpStatusCode.Conflict, rollback.StatusCode);
        var detail = (await rollback.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.Contains($"program '{programId}' scoringModels[0].features: model '{ModelId}' version 1 takes [bureau_grade, util_pct, branch_visits]", detail);
        var served = (await modelOps.GetFromJsonAsync<JsonElement>("/api/v1/admin/models")).EnumerateArray().Single(card => card.GetProperty("modelId").GetString() == ModelId);
        Assert.Equal("2", served.GetProperty("version").GetString());
    }

    [Fact]
    public async Task A_challenger_is_scored_beside_its_champion_compared_in_the_run_report_and_promoted_in_one_call()
    {
        using var admin = _engine.CreateClient(EngineRoles.LendingAdmin);
        using var risk = _engine.CreateClient(EngineRoles.RiskAnalyst);
        using var modelOps = _engine.CreateClient(EngineRoles.ModelOps);
        var programId = "bank-" + Guid.NewGuid().ToString("N")[..8];
        var file = await CustomerFileAsync(programId, 300);
        var challenged = SeedApproval.Replace("    features:", $"    challenger: \"{ModelId}\"\n    features:", StringComparison.Ordinal);

        var wrongRole = await RefusedAsync(admin, programId, Program(programId, file, challenged.Replace(ModelId, "default-risk-v3", StringComparison.Ordinal)));
        Assert.Contains("predicts 'default-risk', not 'approval'", wrongRole.GetProperty("scoringModels[0].challenger")[0].GetString());
        await SaveAsync(admin, programId, Program(programId, file, challenged));

        var run = await DemoRuns.RunConfiguredAsync(admin, programId);

        var comparison = Assert.Single(run.GetProperty("challengers").EnumerateArray());
        Assert.Equal(("approval", "loan-approval-v4", ModelId), (comparison.GetProperty("role").GetString(), comparison.GetProperty("champion").GetString(), comparison.GetProperty("challenger").GetString()));
        var scored = 300 - run.GetProperty("rejectedByFilter").EnumerateObject().Sum(filter => filter.Value.GetInt32());
        Assert.Equal(scored, comparison.GetProperty("customers").GetInt32());
        Assert.Equal(scored, comparison.GetProperty("championDistribution").EnumerateArray().Sum(bin => bin.GetInt32()));
        Assert.InRange(comparison.GetProperty("rankCorrelation").GetDouble(), -1, 1);

        var offered = await DemoRuns.IndexedCustomersAsync(admin, programId);
        var decision = (await risk.GetFromJsonAsync<JsonElement>($"/api/v1/admin/customers/{offered[0]}/decisions")).GetProperty("programs")[0].GetProperty("decision");
        Assert.Equal("loan-approval-v4", decision.GetProperty("modelScores")[0].GetProperty("modelId").GetString());
        Assert.Equal(ModelId, decision.GetProperty("challenger").GetProperty("approval").GetProperty("modelId").GetString());

        var promoted = await modelOps.PostAsync($"/api/v1/admin/programs/{programId}/challengers/approval:promote", null);
        Assert.True(promoted.StatusCode == HttpStatusCode.OK, await promoted.Content.ReadAsStringAsync());
        var approval = (await promoted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("scoringModels")[0];
        Assert.Equal(ModelId, approval.GetProperty("modelId").GetString());
        Assert.Equal(Served, approval.GetProperty("features").EnumerateArray().Select(feature => feature.GetString()));
        Assert.False(approval.TryGetProperty("challenger", out _));
        Assert.Equal(HttpStatusCode.Conflict, (await modelOps.PostAsync($"/api/v1/admin/programs/{programId}/challengers/approval:promote", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.PostAsync($"/api/v1/admin/programs/{programId}/challengers/approval:promote", null)).StatusCode);
        var badRole = await modelOps.PostAsync($"/api/v1/admin/programs/{programId}/challengers/fraud:promote", null);
        Assert.Contains("approval, default-risk", (await ErrorsAsync(badRole)).GetProperty("role")[0].GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await modelOps.PostAsync("/api/v1/admin/programs/no-such-program/challengers/approval:promote", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await modelOps.GetAsync("/api/v1/admin/programs/no-such-program/challengers")).StatusCode);
        var audit = await risk.GetFromJsonAsync<JsonElement>("/api/v1/admin/audit?action=model.challenger-promote&limit=100");
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(), entry => entry.GetProperty("target").GetString() == programId);
    }

    [Fact]
    public async Task A_challenger_on_the_core_fields_is_compared_with_its_champion_on_the_recorded_outcomes()
    {
        using var admin = _engine.CreateClient(EngineRoles.LendingAdmin);
        using var bank = _engine.CreateClient(EngineRoles.OffersService);
        using var modelOps = _engine.CreateClient(EngineRoles.ModelOps);
        var programId = "core-" + Guid.NewGuid().ToString("N")[..8];
        var yaml = Models(DemoRuns.Yaml(programId, 400), SeedApproval.Replace("    features:", $"    challenger: \"{CoreChallenger}\"\n    features:", StringComparison.Ordinal));
        await SaveAsync(admin, programId, yaml);
        await DemoRuns.RunConfiguredAsync(admin, programId);

        // Applications from ten offered customers, half funded and half declined.
        var offered = await DemoRuns.IndexedCustomersAsync(admin, programId);
        foreach (var (customerId, index) in offered.Take(10).Select((customerId, index) => (customerId, index)))
        {
            var offer = (await bank.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{customerId}/offers")).GetProperty("offers")[0];
            var accepted = await bank.PostAsync($"/api/v1/customers/{customerId}/offers/{offer.GetProperty("offerId").GetString()}/accept", null);
            var applicationId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("applicationId").GetString();
            object outcome = index % 2 == 0
                ? new { outcome = "funded", amount = offer.GetProperty("amount").GetDecimal(), fundedOn = "2026-12-01" }
                : new { outcome = "declined", reasons = new[] { "Income not verified" } };
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/v1/applications/{applicationId}/outcome", outcome)).StatusCode);
        }

        var compared = Assert.Single((await modelOps.GetFromJsonAsync<JsonElement>($"/api/v1/admin/programs/{programId}/challengers")).EnumerateArray());
        Assert.Equal(("approval", "loan-approval-v4", CoreChallenger, 10), (compared.GetProperty("role").GetString(), compared.GetProperty("champion").GetString(),
            compared.GetProperty("challenger").GetString(), compared.GetProperty("outcomes").GetInt32()));
        Assert.InRange(compared.GetProperty("championAuc").GetDouble(), 0, 1);
        Assert.InRange(compared.GetProperty("challengerAuc").GetDouble(), 0, 1);
        Assert.False(compared.TryGetProperty("note", out _));
    }
}
