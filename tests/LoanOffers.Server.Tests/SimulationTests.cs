using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LoanOffers.Server.Security;

namespace LoanOffers.Server.Tests;

/// <summary>A what-if run of an unsaved program version over the live program's book, beside the live version.</summary>
[Collection(ApiCollection.Name)]
public sealed class SimulationTests(EngineApiFactory factory)
{
    private static StringContent Yaml(string yaml) => new(yaml, Encoding.UTF8, "application/yaml");

    private static Dictionary<string, int> Counts(JsonElement counts) => counts.EnumerateObject().ToDictionary(entry => entry.Name, entry => entry.Value.GetInt32());

    [Fact]
    public async Task A_stricter_version_is_simulated_over_the_book_writing_nothing_and_the_live_funnel_is_what_the_next_run_makes()
    {
        var programId = "whatif-" + Guid.NewGuid().ToString("N")[..8];
        using var admin = factory.CreateClient(EngineRoles.LendingAdmin);
        using var analyst = factory.CreateClient(EngineRoles.RiskAnalyst);
        var live = DemoRuns.Yaml(programId, 300);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"/api/v1/admin/programs/{programId}", Yaml(live))).StatusCode);

        var started = await analyst.PostAsync($"/api/v1/admin/programs/{programId}/simulations", Yaml(live.Replace("minCreditScore: 680", "minCreditScore: 740")));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var simulation = await DemoRuns.UntilDoneAsync(analyst, started.Headers.Location!.ToString());

        Assert.Equal(("Completed", 300, 300, 0), (simulation.GetProperty("state").GetString(), simulation.GetProperty("total").GetInt32(),
            simulation.GetProperty("processed").GetInt32(), simulation.GetProperty("errors").GetInt32()));
        var proposed = simulation.GetProperty("proposed");
        var current = simulation.GetProperty("live");
        Assert.True(Counts(proposed.GetProperty("rejectedByFilter"))["credit-qualification"] > Counts(current.GetProperty("rejectedByFilter"))["credit-qualification"]);
        var difference = simulation.GetProperty("difference");
        Assert.Equal(proposed.GetProperty("offered").GetInt32() - current.GetProperty("offered").GetInt32(), difference.GetProperty("offered").GetInt32());
        Assert.True(difference.GetProperty("offered").GetInt32() < 0);
        Assert.True(current.GetProperty("expectedApplications").GetDouble() > 0);
        Assert.True(difference.GetProperty("expectedVolume").GetDecimal() < 0);

        // Nothing was written: no candidates, no customer with a decision.
        var candidates = await analyst.GetFromJsonAsync<JsonElement>($"/api/v1/admin/programs/{programId}/candidates?minAmount=0&maxAmount=10000000");
        Assert.Equal(0, candidates.GetProperty("candidates").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await analyst.GetAsync($"/api/v1/admin/customers/{programId}-C0000001/decisions")).StatusCode);

        // The live version's funnel is the one the run then makes, filter by filter and tier by tier.
        var report = await DemoRuns.RunConfiguredAsync(admin, programId);
        Assert.Equal(report.GetProperty("offered").GetInt32(), current.GetProperty("offered").GetInt32());
        Assert.Equal(Counts(report.GetProperty("rejectedByFilter")), Counts(current.GetProperty("rejectedByFilter")));
        Assert.Equal(Counts(report.GetProperty("offersByTier")), Counts(current.GetProperty("offersByTier")));

        // Once the run has made its offers, they do not hold the book back in a what-if: the same version shows the same funnel.
        var again = await analyst.PostAsync($"/api/v1/admin/programs/{programId}/simulations", Yaml(live));
        var afterRun = await DemoRuns.UntilDoneAsync(analyst, again.Headers.Location!.ToString());
        Assert.Equal(report.GetProperty("offered").GetInt32(), afterRun.GetProperty("live").GetProperty("offered").GetInt32());

        var audit = await analyst.GetFromJsonAsync<JsonElement>("/api/v1/admin/audit?action=program.simulate&limit=100");
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(), entry => entry.GetProperty("target").GetString()!.StartsWith(programId + "/sim-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_sample_takes_that_many_customers_and_bad_requests_are_refused_by_field()
    {
        var programId = "whatif-" + Guid.NewGuid().ToString("N")[..8];
        using var admin = factory.CreateClient(EngineRoles.LendingAdmin);
        var live = DemoRuns.Yaml(programId, 120);
        var unknown = await admin.PostAsync($"/api/v1/admin/programs/{programId}/simulations", Yaml(live));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"/api/v1/admin/programs/{programId}", Yaml(live))).StatusCode);

        var sampled = await admin.PostAsync($"/api/v1/admin/programs/{programId}/simulations?sample=50", Yaml(live));
        var status = await DemoRuns.UntilDoneAsync(admin, sampled.Headers.Location!.ToString());
        Assert.Equal((50, 50, 50), (status.GetProperty("total").GetInt32(), status.GetProperty("live").GetProperty("evaluated").GetInt32(), status.GetProperty("proposed").GetProperty("evaluated").GetInt32()));
        Assert.Equal(0, status.GetProperty("difference").GetProperty("offered").GetInt32());

        var zero = await admin.PostAsync($"/api/v1/admin/programs/{programId}/simulations?sample=0", Yaml(live));
        Assert.True((await zero.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("sample", out _));
        var bad = await admin.PostAsync($"/api/v1/admin/programs/{programId}/simulations", Yaml(live.Replace("minCreditScore: 680", "minCreditScore: 9000")));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("filterChain[1].parameters.minCreditScore", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/admin/programs/{programId}/simulations/sim-none")).StatusCode);
    }
}
