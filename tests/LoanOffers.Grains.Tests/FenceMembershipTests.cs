using LoanOffers.Abstractions;
using LoanOffers.Domain;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace LoanOffers.Grains.Tests;

/// <summary>
/// A batch fence across a cluster whose membership changes while it is open: a silo that joins is never fenced, and
/// a worker's silo that dies never closes its fences. Each test runs a cluster of its own, since it adds or stops silos.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class FenceMembershipTests(EngineClusterFixture fixture)
{
    private static readonly DateTimeOffset Now = TimeProvider.System.GetUtcNow();
    private static readonly TimeSpan MembershipPatience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_silo_that_joins_while_a_partition_is_fenced_rereads_that_partitions_customers_when_the_fence_closes()
    {
        await using var cluster = fixture.NewCluster(1);
        await cluster.DeployAsync();
        var first = cluster.GetSiloServiceProvider(cluster.Silos[0].SiloAddress);
        var (config, profile) = await EvaluatedOnceAsync(cluster);
        var id = profile.CustomerId;
        var partition = BatchWrites.PartitionOf(first, id);
        var oracle = first.GetRequiredService<ISiloStatusOracle>();

        var fence = await PartitionFence.OpenAsync(first.GetRequiredService<CustomerActivationServiceClient>(), oracle, partition, NullLogger.Instance);
        Assert.NotNull(fence);
        InProcessSiloHandle joined;
        ICustomerGrain onJoined;
        await using (fence)
        {
            // A silo the fence never reached activates the customer and reads its row before the batch writes it.
            joined = await cluster.StartAdditionalSiloAsync();
            await WaitUntilAsync(() => oracle.GetActiveSilos().Contains(joined.SiloAddress));
            var joinedServices = cluster.GetSiloServiceProvider(joined.SiloAddress);
            onJoined = joinedServices.GetRequiredService<IGrainFactory>().GetGrain<ICustomerGrain>(id);
            Assert.Equal("run-1", (await onJoined.GetDecision(config.ProgramId))!.RunId);
            Assert.Contains(id, await ActiveOnAsync(first, joined.SiloAddress, partition));

            await BatchWrites.WriteBehindAsync(first, new EvaluateCustomer("run-2", config, profile, Now.AddDays(7)));
            Assert.Equal("run-1", (await onJoined.GetDecision(config.ProgramId))!.RunId);
        }

        Assert.Equal("run-2", (await onJoined.GetDecision(config.ProgramId))!.RunId);
    }

    [Fact]
    public async Task A_fence_whose_workers_silo_dies_is_closed_by_the_other_silos_as_they_learn_it()
    {
        await using var cluster = fixture.NewCluster(2);
        await cluster.DeployAsync();
        var (survivor, worker) = (cluster.Silos[0], cluster.Silos[1]);
        var onSurvivor = cluster.GetSiloServiceProvider(survivor.SiloAddress);
        var (config, profile) = await EvaluatedOnceAsync(cluster);
        var id = profile.CustomerId;
        var (table, partition) = BatchWrites.PartitionOf(onSurvivor, id);

        // A worker on the second silo fences the partition on the survivor, which activates the customer meanwhile ...
        var fenceOnSurvivor = cluster.GetSiloServiceProvider(worker.SiloAddress).GetRequiredService<CustomerActivationServiceClient>().On(survivor.SiloAddress);
        Assert.DoesNotContain(id, await fenceOnSurvivor.OpenFence(Guid.NewGuid(), table, partition, worker.SiloAddress));
        var customer = onSurvivor.GetRequiredService<IGrainFactory>().GetGrain<ICustomerGrain>(id);
        Assert.Equal("run-1", (await customer.GetDecision(config.ProgramId))!.RunId);
        await BatchWrites.WriteBehindAsync(onSurvivor, new EvaluateCustomer("run-2", config, profile, Now.AddDays(7)));
        Assert.Equal("run-1", (await customer.GetDecision(config.ProgramId))!.RunId);

        // ... and the worker's silo goes without closing it: the survivor closes it once it learns that silo is dead.
        await cluster.StopSiloAsync(worker);

        await WaitUntilAsync(async () => (await customer.GetDecision(config.ProgramId))!.RunId == "run-2");
    }

    /// <summary>A customer decided once (run-1) and then deactivated, so its next activation reads its row.</summary>
    private static async Task<(ProgramConfig Config, CustomerProfile Profile)> EvaluatedOnceAsync(InProcessTestCluster cluster)
    {
        var config = EngineClusterFixture.DemoProgram(1);
        var profile = UnactivatedEvaluationTests.Profile($"member-{Guid.NewGuid():N}");
        var customer = cluster.Client.GetGrain<ICustomerGrain>(profile.CustomerId);
        await customer.Evaluate(new EvaluateCustomer("run-1", config, profile, Now));
        await cluster.DeactivateAsync(customer);
        return (config, profile);
    }

    /// <summary>The partition's customers active on <paramref name="silo"/>, as a fence opened there names them.</summary>
    private static async Task<IReadOnlyList<string>> ActiveOnAsync(IServiceProvider from, SiloAddress silo, (int Table, int Partition) partition)
    {
        var service = from.GetRequiredService<CustomerActivationServiceClient>().On(silo);
        var probe = Guid.NewGuid();
        var active = await service.OpenFence(probe, partition.Table, partition.Partition, from.GetRequiredService<ISiloStatusOracle>().SiloAddress);
        await service.CloseFence(probe);
        return active;
    }

    private static Task WaitUntilAsync(Func<bool> condition) => WaitUntilAsync(() => Task.FromResult(condition()));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + MembershipPatience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Not true within {MembershipPatience.TotalSeconds:N0} s.");
            await Task.Delay(200);
        }
    }
}
