using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LoanOffers.Server.Commands;
using LoanOffers.Server.Security;
using Microsoft.Extensions.Configuration;

namespace LoanOffers.Server.Tests;

/// <summary>Every change through the API lands in the audit trail with who, what, before and after.</summary>
[Collection(ApiCollection.Name)]
public sealed class AuditApiTests(EngineApiFactory factory)
{
    [Fact]
    public async Task Program_changes_and_runs_are_audited_with_the_diff_and_the_chain_verifies()
    {
        var subject = "auditor-" + Guid.NewGuid().ToString("N")[..8];
        var programId = "audit-" + Guid.NewGuid().ToString("N")[..8];
        using var admin = factory.CreateClient(EngineRoles.LendingAdmin, subject);
        using var analyst = factory.CreateClient(EngineRoles.RiskAnalyst);
        var yaml = DemoRuns.Yaml(programId, 50);

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"/api/v1/admin/programs/{programId}", new StringContent(yaml, Encoding.UTF8, "application/yaml"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"/api/v1/admin/programs/{programId}",
            new StringContent(yaml.Replace("interestRate: 7.5", "interestRate: 26"), Encoding.UTF8, "application/yaml"))).StatusCode);
        var run = await admin.PostAsync($"/api/v1/admin/programs/{programId}/runs", null);
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);

        var page = await analyst.GetFromJsonAsync<JsonElement>($"/api/v1/admin/audit?actor={subject}");
        var entries = page.GetProperty("entries").EnumerateArray().ToList();

        Assert.Equal(["run.start", "program.configure", "program.configure"], entries.Select(entry => entry.GetProperty("action").GetString()));
        Assert.All(entries, entry => Assert.Equal((subject, "lending-admin"), (entry.GetProperty("subject").GetString(), entry.GetProperty("role").GetString())));
        var change = entries[1];
        Assert.Equal(programId, change.GetProperty("target").GetString());
        Assert.Contains("\"interestRate\":7.5", change.GetProperty("before").GetString());
        Assert.Contains("\"interestRate\":26", change.GetProperty("after").GetString());
        Assert.Contains(change.GetProperty("changes").EnumerateArray(), line => line.GetString()!.Contains("interestRate: 7.5 → 26", StringComparison.Ordinal));
        Assert.False(entries[2].TryGetProperty("before", out _), "The first configuration has nothing before it.");
        Assert.Equal(entries[1].GetProperty("previousHash").GetString(), entries[2].GetProperty("hash").GetString());
        Assert.StartsWith(programId + "/", entries[0].GetProperty("target").GetString());

        var filtered = await analyst.GetFromJsonAsync<JsonElement>($"/api/v1/admin/audit?actor={subject}&action=run.start");
        Assert.Single(filtered.GetProperty("entries").EnumerateArray());

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Tables"] = factory.Azurite.ConnectionString,
            ["Engine:TablePrefix"] = factory.TablePrefix,
        }).Build();
        var report = new StringWriter();
        Assert.Equal(0, await VerifyAuditCommand.RunAsync(configuration, report));
        Assert.Contains("Audit trail intact", report.ToString());
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from")]
    [InlineData("from=yesterday", "from")]
    [InlineData("action=drop%20table", "action")]
    public async Task A_bad_audit_query_names_the_parameter(string query, string field)
    {
        using var analyst = factory.CreateClient(EngineRoles.RiskAnalyst);

        var response = await analyst.GetAsync($"/api/v1/admin/audit?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
    }
}
