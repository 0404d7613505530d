using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace LoanOffers.Grains;

/// <summary>
/// A batch's fence on one storage partition across the cluster (see <see cref="CustomerActivations"/>): while it is
/// open, the partition's customers that no silo has active may be evaluated straight from their rows. It is closed on
/// every silo it was opened on; a silo that became active meanwhile (it joined the cluster) was never fenced, so its
/// activations of the partition are all marked to read their rows again.
/// </summary>
public sealed partial class PartitionFence : IAsyncDisposable
{
    private readonly Guid _id = Guid.NewGuid();
    private readonly List<SiloAddress> _opened = [];
    private readonly CustomerActivationServiceClient _services;
    private readonly ISiloStatusOracle _silos;
    private readonly (int Table, int Partition) _partition;
    private readonly ILogger _logger;

    private PartitionFence(CustomerActivationServiceClient services, ISiloStatusOracle silos, (int Table, int Partition) partition, ILogger logger)
    {
        _services = services;
        _silos = silos;
        _partition = partition;
        _logger = logger;
    }

    /// <summary>The customer ids active somewhere when the fence opened; they go through their grains.</summary>
    public HashSet<string> Active { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Opens a fence on every active silo; null when one could not be fenced (every customer of the partition then
    /// goes through its grain, as it would without fences).
    /// </summary>
    public static async Task<PartitionFence?> OpenAsync(
        CustomerActivationServiceClient services, ISiloStatusOracle silos, (int Table, int Partition) partition, ILogger logger)
    {
        var fence = new PartitionFence(services, silos, partition, logger);
        var opened = await Task.WhenAll(silos.GetActiveSilos().Select(async silo =>
        {
            try
            {
                IReadOnlyList<string>? active = await services.On(silo).OpenFence(fence._id, partition.Table, partition.Partition, silos.SiloAddress);
                return (Silo: silo, Active: active);
            }
            catch (Exception failure)
            {
                LogOpenFailed(logger, silo, failure.GetType().Name);
                return (Silo: silo, Active: (IReadOnlyList<string>?)null);
            }
        }));

        // Closed on every silo asked: one whose answer was lost may still have opened it.
        fence._opened.AddRange(opened.Select(answer => answer.Silo));
        if (opened.Any(answer => answer.Active is null && !silos.IsDeadSilo(answer.Silo)))
        {
            await fence.DisposeAsync();
            return null;
        }

        foreach (var (_, active) in opened)
        {
            fence.Active.UnionWith(active ?? []);
        }

        return fence;
    }

    public async ValueTask DisposeAsync()
    {
        var joined = _silos.GetActiveSilos().Except(_opened).ToList();
        await Task.WhenAll(_opened.Select(silo => OnSiloAsync(silo, service => service.CloseFence(_id)))
            .Concat(joined.Select(silo => OnSiloAsync(silo, service => service.MarkStale(_partition.Table, _partition.Partition)))));
    }

    private async Task OnSiloAsync(SiloAddress silo, Func<ICustomerActivationService, Task> call)
    {
        try
        {
            await call(_services.On(silo));
        }
        catch (Exception failure)
        {
            LogCloseFailed(_logger, silo, failure.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Could not open a batch fence on silo {Silo} ({Failure}); the partition's customers go through their grains")]
    private static partial void LogOpenFailed(ILogger logger, SiloAddress silo, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not close a batch fence on silo {Silo} ({Failure})")]
    private static partial void LogCloseFailed(ILogger logger, SiloAddress silo, string failure);
}
