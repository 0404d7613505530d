using System.Net.Http.Json;
using System.Text.Json;
using LoanOffers.Server.Security;

namespace LoanOffers.Server.Tests;

/// <summary>Offers answered from the silo's published copy never outlive the grain state they came from.</summary>
[Collection(ApiCollection.Name)]
public sealed class LocalOfferReadsTests(EngineApiFactory factory)
{
    [Fact]
    public async Task A_new_run_replaces_the_published_answer_at_once()
    {
        using var admin = factory.CreateClient(EngineRoles.LendingAdmin);
        using var bank = factory.CreateClient(EngineRoles.OffersService);
        var programId = "reads-" + Guid.NewGuid().ToString("N")[..8];
        await RunAsync(admin, programId);
        var customerId = (await DemoRuns.IndexedCustomersAsync(admin, programId))[0];
        var url = $"/api/v1/customers/{customerId}/offers";

        var first = await bank.GetFromJsonAsync<JsonElement>(url);
        var repeated = await bank.GetFromJsonAsync<JsonElement>(url);
        await RunAsync(admin, programId);
        var afterSecondRun = await bank.GetFromJsonAsync<JsonElement>(url);

        Assert.Equal(first.ToString(), repeated.ToString());
        Assert.NotEqual(first.GetProperty("evaluatedAt").GetString(), afterSecondRun.GetProperty("evaluatedAt").GetString());
    }

    private static Task RunAsync(HttpClient admin, string programId) => DemoRuns.RunToEndAsync(admin, programId, 200);
}
