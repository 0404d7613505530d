using LoanOffers.Storage.AzureTables;

namespace LoanOffers.Server.Hosting;

/// <summary>
/// In Development (and the demo), runs the pinned Azurite when the configured tables are the local emulator, keeping
/// its data on disk (<c>Azurite:DataDirectory</c>, by default the git-ignored <c>azurite/data</c>) so a restart serves
/// the same programs, runs and offers; <c>Azurite:Fresh</c> starts clean. Registered before the silo so the silo
/// finds its tables; stops the emulator on shutdown.
/// </summary>
public sealed class AzuriteHostedService(IConfiguration configuration, ILogger<AzuriteHostedService> logger) : IHostedService
{
    private AzuriteEmulator? _started;

    public async Task StartAsync(CancellationToken cancellationToken) =>
        _started = await AzuriteEmulator.EnsureRunningAsync(
            configuration.GetConnectionString("Tables"),
            DataDirectory(configuration),
            configuration.GetValue<bool>("Azurite:Fresh"),
            logger,
            cancellationToken);

    /// <summary>Where the engine's own Azurite keeps its tables.</summary>
    public static string DataDirectory(IConfiguration configuration) =>
        configuration["Azurite:DataDirectory"] is { Length: > 0 } data ? data : AzuriteEmulator.DefaultDataDirectory;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_started is not null)
        {
            await _started.DisposeAsync();
        }
    }
}
