using LoanOffers.Storage.AzureTables;

namespace LoanOffers.Server.Hosting;

/// <summary>
/// In Development (and the demo), runs the pinned Azurite when the configured tables (and the blobs the weekly export
/// writes) are the local emulator, keeping
/// its data on disk (<c>Azurite:DataDirectory</c>, by default the git-ignored <c>azurite/data</c>) so a restart serves
/// the same programs, runs and offers; <c>Azurite:Fresh</c> starts clean. Registered before the silo so the silo
/// finds its tables; stops the emulator on shutdown.
/// </summary>
public sealed class AzuriteHostedService(IConfiguration configuration, ILogger<AzuriteHostedService> logger) : IHostedService
{
    private AzuriteEmulator? _tables;
    private AzuriteEmulator? _blobs;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var fresh = configuration.GetValue<bool>("Azurite:Fresh");
        _tables = await AzuriteEmulator.EnsureRunningAsync(configuration.GetConnectionString("Tables"), DataDirectory(configuration), fresh, logger, cancellationToken);
        _blobs = await AzuriteEmulator.EnsureRunningAsync(
            configuration.GetConnectionString("Blobs"), DataDirectory(configuration), fresh, logger, cancellationToken, AzuriteService.Blob);
    }

    /// <summary>Where the engine's own Azurite keeps its tables.</summary>
    public static string DataDirectory(IConfiguration configuration) =>
        configuration["Azurite:DataDirectory"] is { Length: > 0 } data ? data : AzuriteEmulator.DefaultDataDirectory;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var started in new[] { _blobs, _tables })
        {
            if (started is not null)
            {
                await started.DisposeAsync();
            }
        }
    }
}
