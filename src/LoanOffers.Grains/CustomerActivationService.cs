using Orleans;
using Orleans.Runtime;
using Orleans.Runtime.Services;
using Orleans.Services;
using Microsoft.Extensions.Logging;

namespace LoanOffers.Grains;

/// <summary>A silo's <see cref="CustomerActivations"/>, reachable from the batch's workers on every silo.</summary>
public interface ICustomerActivationService : IGrainService
{
    /// <summary>Opens a fence on a storage partition on this silo; returns the ids of its customers active here.</summary>
    Task<IReadOnlyList<string>> OpenFence(Guid fenceId, int table, int partition);

    /// <summary>Closes the fence; customers activated here while it was open read their rows again before their next call.</summary>
    Task CloseFence(Guid fenceId);
}

public sealed class CustomerActivationService(GrainId id, Silo silo, ILoggerFactory loggers, CustomerActivations activations)
    : GrainService(id, silo, loggers), ICustomerActivationService
{
    public Task<IReadOnlyList<string>> OpenFence(Guid fenceId, int table, int partition) =>
        Task.FromResult(activations.Open(fenceId, (table, partition)));

    public Task CloseFence(Guid fenceId)
    {
        activations.Close(fenceId);
        return Task.CompletedTask;
    }
}

/// <summary>Reaches the <see cref="ICustomerActivationService"/> of a given silo.</summary>
public sealed class CustomerActivationServiceClient(IServiceProvider services) : GrainServiceClient<ICustomerActivationService>(services)
{
    public ICustomerActivationService On(SiloAddress silo) => GetGrainService(silo);
}
