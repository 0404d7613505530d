using LoanOffers.Storage.AzureTables;

namespace LoanOffers.Server.Hosting;

/// <summary>
/// In Development (and the demo), starts the pinned Azurite when the configured tables are the local emulator and
/// nothing listens there; registered before the silo so the silo finds its tables. Stops what it started.
/// </summary>
public sealed class AzuriteHostedService(IConfiguration configuration, ILogger<AzuriteHostedService> logger) : IHostedService
{
    private AzuriteEmulator? _started;

    public async Task StartAsync(CancellationToken cancellationToken) =>
        _started = await AzuriteEmulator.EnsureRunningAsync(configuration.GetConnectionString("Tables"), logger, cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_started is not null)
        {
            await _started.DisposeAsync();
        }
    }
}
