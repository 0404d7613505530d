using Azure.Data.Tables;
using Xunit;
using LoanOffers.Storage.AzureTables;

namespace LoanOffers.Testing;

/// <summary>
/// A real Azurite for a test run: the one named by LOANOFFERS_TABLES_CONNECTION (CI starts one), else one started
/// here on a free loopback port (always, for a dedicated fixture) and stopped at the end. Each user gets its own table
/// names, so runs never collide.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteEmulator? _started;
    private bool _dedicated;

    /// <summary>A fixture with an Azurite of its own, which a test may pause without disturbing others.</summary>
    public static AzuriteFixture Dedicated() => new() { _dedicated = true };

    /// <summary>The Azurite this fixture started, or null when it uses the one CI names.</summary>
    public AzuriteEmulator? Started => _started;

    public string ConnectionString { get; private set; } = string.Empty;

    public TableServiceClient Service { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable("LOANOFFERS_TABLES_CONNECTION");
        if (!_dedicated && !string.IsNullOrWhiteSpace(configured))
        {
            ConnectionString = configured;
        }
        else
        {
            _started = await AzuriteEmulator.StartAsync();
            ConnectionString = _started.ConnectionString;
        }

        Service = new TableServiceClient(ConnectionString);
    }

    public async Task DisposeAsync()
    {
        if (_started is not null)
        {
            await _started.DisposeAsync();
        }
    }

    private static readonly Lazy<Task<string>> SharedBlobs = new(StartSharedBlobsAsync);

    /// <summary>
    /// Azure Blob Storage for the tests: the Azurite blob service LOANOFFERS_BLOBS_CONNECTION names (CI starts one), else
    /// one started here once for the whole test run and stopped when it ends. Tests keep apart by container.
    /// </summary>
    public static Task<string> BlobConnectionStringAsync() => SharedBlobs.Value;

    private static async Task<string> StartSharedBlobsAsync()
    {
        if (Environment.GetEnvironmentVariable("LOANOFFERS_BLOBS_CONNECTION") is { Length: > 0 } configured)
        {
            return configured;
        }

        var blobs = await AzuriteEmulator.StartAsync(service: AzuriteService.Blob);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => blobs.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return blobs.ConnectionString;
    }

    /// <summary>A table name no other test uses.</summary>
    public static string UniqueName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..12];
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
