using LoanOffers.Abstractions;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.Runtime.Services;
using Orleans.Services;

namespace LoanOffers.Grains;

/// <summary>A silo's <see cref="CustomerActivations"/>, reachable from the batch's workers on every silo.</summary>
public interface ICustomerActivationService : IGrainService
{
    /// <summary>Opens a fence on a storage partition on this silo; returns the ids of its customers active here.</summary>
    Task<IReadOnlyList<string>> OpenFence(Guid fenceId, int table, int partition);

    /// <summary>Closes the fence; customers activated here while it was open read their state again first.</summary>
    Task CloseFence(Guid fenceId);
}

[Reentrant]
public sealed partial class CustomerActivationService(
    GrainId id,
    Silo silo,
    ILoggerFactory loggers,
    CustomerActivations activations,
    CustomerGrains customers) : GrainService(id, silo, loggers), ICustomerActivationService
{
    private const int RefreshesAtOnce = 16;
    private readonly ILogger _logger = loggers.CreateLogger<CustomerActivationService>();

    public Task<IReadOnlyList<string>> OpenFence(Guid fenceId, int table, int partition) =>
        Task.FromResult(activations.Open(fenceId, (table, partition)));

    public async Task CloseFence(Guid fenceId)
    {
        var activated = activations.Close(fenceId);
        await Parallel.ForEachAsync(activated, new ParallelOptions { MaxDegreeOfParallelism = RefreshesAtOnce }, async (customer, _) =>
        {
            try
            {
                await customers.Get(customer.Key.ToString()).Refresh();
            }
            catch (Exception failure)
            {
                // The activation keeps what it read; its next write still fails the row's ETag check, so nothing is
                // overwritten, but its answers may show the row before the batch until it deactivates.
                LogRefreshFailed(failure, customer);
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Customer {Customer} activated during a batch's write of its partition and could not read its state again")]
    private partial void LogRefreshFailed(Exception failure, GrainId customer);
}

/// <summary>Reaches the <see cref="ICustomerActivationService"/> of a given silo.</summary>
public sealed class CustomerActivationServices(IServiceProvider services) : GrainServiceClient<ICustomerActivationService>(services)
{
    public ICustomerActivationService On(SiloAddress silo) => GetGrainService(silo);
}
