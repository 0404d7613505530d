using LoanOffers.Abstractions;
using LoanOffers.Storage.AzureTables;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace LoanOffers.Grains.Tests;

/// <summary>What a batch worker does to a customer it evaluates without an activation, done by hand on one silo.</summary>
internal static class BatchWrites
{
    /// <summary>The storage partition (table, partition) a fence on the customer's row is taken on.</summary>
    public static (int Table, int Partition) PartitionOf(IServiceProvider silo, string customerId) =>
        ((IGrainStateReadAhead)silo.GetRequiredKeyedService<IGrainStorage>(EngineNames.CustomerStore)).Layout.Bucket(CustomerGrains.IdOf(customerId));

    /// <summary>Decides the customer's run from its row and writes the row back, behind any activation's back.</summary>
    public static async Task WriteBehindAsync(IServiceProvider silo, EvaluateCustomer command)
    {
        var store = silo.GetRequiredKeyedService<IGrainStorage>(EngineNames.CustomerStore);
        var grainId = CustomerGrains.IdOf(command.Profile.CustomerId);
        var row = new GrainState<CustomerState>();
        await store.ReadStateAsync(EngineNames.CustomerStateName, grainId, row);
        var step = await silo.GetRequiredService<CustomerPipeline>().RunAsync(row.State!, command);
        row.State = step.Next!;
        await store.WriteStateAsync(EngineNames.CustomerStateName, grainId, row);
    }
}
