using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LoanOffers.Domain;
using LoanOffers.Server.Security;
using Microsoft.Extensions.Logging;

namespace LoanOffers.Server.Tests;

/// <summary>Every run reports its offers by age band and state against the four-fifths rule, and flags and logs a breach.</summary>
[Collection(ApiCollection.Name)]
public sealed class FairnessTests(EngineApiFactory factory)
{
    [Fact]
    public async Task A_state_whose_customers_fail_the_credit_filter_is_flagged_in_the_run_report_and_the_log_and_no_birth_date_leaves()
    {
        // Half the customers live in West Virginia, all with scores under the credit filter's 680; the rest in California.
        var programId = "fair-" + Guid.NewGuid().ToString("N")[..8];
        var customers = SyntheticCustomers.Generate(400, 31).Select((profile, i) => profile with
        {
            CustomerId = $"{programId}-{profile.CustomerId}",
            State = i % 2 == 0 ? "WV" : "CA",
            CreditScore = i % 2 == 0 ? 600 : profile.CreditScore,
        }).ToList();
        var csv = new StringWriter();
        CustomerCsvWriter.Write(csv, customers);
        await File.WriteAllTextAsync(Path.Combine(factory.DataDirectory, programId + ".csv"), csv.ToString());
        using var admin = factory.CreateClient(EngineRoles.LendingAdmin);
        var yaml = DemoRuns.Yaml(programId, 1).Replace("type: \"synthetic\"", "type: \"csv\"").Replace("count: 1\n", $"path: \"{programId}.csv\"\n");
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"/api/v1/admin/programs/{programId}", new StringContent(yaml, Encoding.UTF8, "application/yaml"))).StatusCode);
        var run = await DemoRuns.RunConfiguredAsync(admin, programId);

        Assert.Equal(400, run.GetProperty("processed").GetInt32());
        var fairness = run.GetProperty("fairness");
        var groups = fairness.GetProperty("groups").EnumerateArray().ToDictionary(group => $"{group.GetProperty("dimension").GetString()}:{group.GetProperty("group").GetString()}");
        var wv = groups["state:WV"];
        Assert.Equal((200, 0, 0.0), (wv.GetProperty("evaluated").GetInt32(), wv.GetProperty("offered").GetInt32(), wv.GetProperty("adverseImpactRatio").GetDouble()));
        Assert.True(wv.GetProperty("breach").GetBoolean());
        Assert.True(wv.GetProperty("filterRejectionRates").GetProperty("credit-qualification").GetDouble() > 0.5);
        Assert.Equal(1.0, groups["state:CA"].GetProperty("adverseImpactRatio").GetDouble());
        Assert.Contains("state WV: 0.00 of the best group's offer rate", fairness.GetProperty("breaches").EnumerateArray().Select(breach => breach.GetString()));
        Assert.Equal(400, groups.Where(group => group.Key.StartsWith("age:", StringComparison.Ordinal)).Sum(group => group.Value.GetProperty("evaluated").GetInt32()));
        Assert.DoesNotContain("dateOfBirth", run.GetRawText(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains(factory.Logs.Entries, entry => entry.Level == LogLevel.Warning
            && entry.Message.Contains($"Program {programId} run", StringComparison.Ordinal) && entry.Message.Contains("state WV", StringComparison.Ordinal));
    }
}
