using LoanOffers.Storage.AzureTables;
using LoanOffers.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace LoanOffers.Server.Tests;

/// <summary>The real application (silo + API) on a real Azurite, with its own tables and free Orleans ports.</summary>
public sealed class EngineApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly AzuriteFixture _azurite = new();

    public async Task InitializeAsync()
    {
        await _azurite.InitializeAsync();
        _ = Server;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Tables", _azurite.ConnectionString);
        builder.UseSetting("Engine:TablePrefix", AzuriteFixture.UniqueName("s"));
        builder.UseSetting("Orleans:SiloPort", AzuriteEmulator.FreeLoopbackPort().ToString());
        builder.UseSetting("Orleans:GatewayPort", AzuriteEmulator.FreeLoopbackPort().ToString());
        builder.UseSetting("Orleans:ClusterId", "test-" + Guid.NewGuid().ToString("N")[..8]);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await _azurite.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<EngineApiFactory>
{
    public const string Name = "Api";
}
