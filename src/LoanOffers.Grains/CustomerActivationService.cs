using Orleans;
using Orleans.Runtime;
using Orleans.Runtime.Services;
using Orleans.Services;
using Microsoft.Extensions.Logging;

namespace LoanOffers.Grains;

/// <summary>A silo's <see cref="CustomerActivations"/>, reachable from the batch's workers on every silo.</summary>
public interface ICustomerActivationService : IGrainService
{
    /// <summary>
    /// Opens a fence on a storage partition on this silo for a worker on <paramref name="worker"/>'s silo; returns the
    /// ids of its customers active here.
    /// </summary>
    Task<IReadOnlyList<string>> OpenFence(Guid fenceId, int table, int partition, SiloAddress worker);

    /// <summary>Closes the fence; customers activated here while it was open read their rows again before their next call.</summary>
    Task CloseFence(Guid fenceId);

    /// <summary>
    /// For a silo a fence did not reach (it joined while the fence was open): every customer of the partition active
    /// here reads its row again before its next call.
    /// </summary>
    Task MarkStale(int table, int partition);
}

/// <summary>
/// Also closes the fences of a worker whose silo is declared dead, as soon as this silo learns it, so what activated
/// meanwhile reads its row again without waiting for the abandoned-fence timeout.
/// </summary>
public sealed partial class CustomerActivationService(GrainId id, Silo silo, ILoggerFactory loggers, CustomerActivations activations, ISiloStatusOracle silos)
    : GrainService(id, silo, loggers), ICustomerActivationService, ISiloStatusListener
{
    private readonly ILogger _logger = loggers.CreateLogger<CustomerActivationService>();

    public Task<IReadOnlyList<string>> OpenFence(Guid fenceId, int table, int partition, SiloAddress worker) =>
        Task.FromResult(activations.Open(fenceId, (table, partition), worker));

    public Task CloseFence(Guid fenceId)
    {
        activations.Close(fenceId);
        return Task.CompletedTask;
    }

    public Task MarkStale(int table, int partition)
    {
        activations.MarkStale((table, partition));
        return Task.CompletedTask;
    }

    public void SiloStatusChangeNotification(SiloAddress updatedSilo, SiloStatus status)
    {
        if (status == SiloStatus.Dead && activations.CloseFencesOf(updatedSilo) is var marked and > 0)
        {
            LogClosedFencesOfDeadSilo(updatedSilo, marked);
        }
    }

    public override Task Start()
    {
        silos.SubscribeToSiloStatusEvents(this);
        return base.Start();
    }

    public override Task Stop()
    {
        silos.UnSubscribeFromSiloStatusEvents(this);
        return base.Stop();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed the batch fences of dead silo {Silo}; {Marked} customer activation(s) read their rows again")]
    private partial void LogClosedFencesOfDeadSilo(SiloAddress silo, int marked);
}

/// <summary>Reaches the <see cref="ICustomerActivationService"/> of a given silo.</summary>
public sealed class CustomerActivationServiceClient(IServiceProvider services) : GrainServiceClient<ICustomerActivationService>(services)
{
    public ICustomerActivationService On(SiloAddress silo) => GetGrainService(silo);
}
