using LoanOffers.Abstractions;
using LoanOffers.Domain;
using Microsoft.Extensions.DependencyInjection;

namespace LoanOffers.Grains.Tests;

/// <summary>
/// A batch evaluates customers no silo has active straight from their rows; these check that an activation never
/// keeps serving the row as it was before the batch wrote it, and that concurrent runs lose no one's update.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class UnactivatedEvaluationTests(EngineClusterFixture fixture)
{
    private static readonly DateTimeOffset Now = TimeProvider.System.GetUtcNow();

    private IServiceProvider Silo => fixture.Cluster.GetSiloServiceProvider(fixture.Cluster.Silos[0].SiloAddress);

    [Fact]
    public async Task Customers_active_during_a_run_answer_the_runs_decision_afterwards()
    {
        var config = EngineClusterFixture.DemoProgram(600);
        var program = fixture.Grains.GetGrain<IProgramGrain>(config.ProgramId);
        await program.Configure(config);
        var first = await fixture.WaitForRunAsync(program, (await program.StartRun()).Run.RunId);

        // Held active through the next run: a read keeps the activation with the first run's decision in memory.
        var held = Enumerable.Range(1, 600).Where(index => index % 10 == 0).Select(index => $"{config.ProgramId}-C{index:D7}").ToList();
        foreach (var id in held)
        {
            Assert.Equal(first.RunId, (await fixture.Grains.GetGrain<ICustomerGrain>(id).GetDecision(config.ProgramId))!.RunId);
        }

        var second = await fixture.WaitForRunAsync(program, (await program.StartRun()).Run.RunId);

        Assert.Equal(RunState.Completed, second.State);
        Assert.Equal(600, second.Processed);
        Assert.Equal(0, second.Errors);
        foreach (var id in held)
        {
            Assert.Equal(second.RunId, (await fixture.Grains.GetGrain<ICustomerGrain>(id).GetDecision(config.ProgramId))!.RunId);
        }
    }

    [Fact]
    public async Task A_customer_activated_while_its_partition_is_fenced_reads_the_batchs_write_when_the_fence_closes()
    {
        var config = EngineClusterFixture.DemoProgram(1);
        var id = $"fenced-{Guid.NewGuid():N}";
        var customer = fixture.Grains.GetGrain<ICustomerGrain>(id);
        var profile = Profile(id);
        await customer.Evaluate(new EvaluateCustomer("run-1", config, profile, Now));
        await fixture.Cluster.DeactivateAsync(customer);

        var silo = fixture.Cluster.Silos[0].SiloAddress;
        var services = Silo.GetRequiredService<CustomerActivationServiceClient>().On(silo);
        var (table, partition) = BatchWrites.PartitionOf(Silo, id);
        var fence = Guid.NewGuid();
        Assert.DoesNotContain(id, await services.OpenFence(fence, table, partition, silo));

        // Activated inside the fence, it reads the row before the batch writes it ...
        Assert.Equal("run-1", (await customer.GetDecision(config.ProgramId))!.RunId);
        await BatchWrites.WriteBehindAsync(Silo, new EvaluateCustomer("run-2", config, profile, Now.AddDays(7)));
        Assert.Equal("run-1", (await customer.GetDecision(config.ProgramId))!.RunId);

        // ... and reads it again as the fence closes, so it never answers from the older row afterwards.
        await services.CloseFence(fence);

        Assert.Equal("run-2", (await customer.GetDecision(config.ProgramId))!.RunId);
    }

    [Fact]
    public async Task A_fence_names_the_partitions_customers_that_are_active()
    {
        var id = $"active-{Guid.NewGuid():N}";
        var customer = fixture.Grains.GetGrain<ICustomerGrain>(id);
        await customer.GetDecision("any");
        var silo = fixture.Cluster.Silos[0].SiloAddress;
        var (table, partition) = BatchWrites.PartitionOf(Silo, id);
        var services = Silo.GetRequiredService<CustomerActivationServiceClient>().On(silo);

        var fence = Guid.NewGuid();
        var active = await services.OpenFence(fence, table, partition, silo);
        await services.CloseFence(fence);
        await fixture.Cluster.DeactivateAsync(customer);
        var later = Guid.NewGuid();
        var afterDeactivation = await services.OpenFence(later, table, partition, silo);
        await services.CloseFence(later);

        Assert.Contains(id, active);
        Assert.DoesNotContain(id, afterDeactivation);
    }

    [Fact]
    public async Task Two_programs_running_at_once_over_the_same_customers_both_decide_every_customer()
    {
        var first = EngineClusterFixture.DemoProgram(800);
        var second = first with { ProgramId = "twin-" + Guid.NewGuid().ToString("N")[..8] };
        var programs = new[] { first, second }.Select(config => (Config: config, Grain: fixture.Grains.GetGrain<IProgramGrain>(config.ProgramId))).ToList();
        foreach (var (config, grain) in programs)
        {
            await grain.Configure(config);
        }

        var started = await Task.WhenAll(programs.Select(program => program.Grain.StartRun()));
        var runs = await Task.WhenAll(programs.Select((program, index) => fixture.WaitForRunAsync(program.Grain, started[index].Run.RunId)));

        Assert.All(runs, run => Assert.Equal((RunState.Completed, 800, 0), (run.State, run.Processed, run.Errors)));
        for (var index = 1; index <= 800; index++)
        {
            // The same customers (same ids): each row must carry both programs' decisions, none lost to the other's write.
            var decisions = await fixture.Grains.GetGrain<ICustomerGrain>($"{first.ProgramId}-C{index:D7}").GetDecisions();
            Assert.Equal(
                [(first.ProgramId, runs[0].RunId), (second.ProgramId, runs[1].RunId)],
                decisions!.Programs.Select(decision => (decision.ProgramId, decision.Decision.RunId)).OrderBy(pair => pair.ProgramId == first.ProgramId ? 0 : 1));
        }
    }

    internal static CustomerProfile Profile(string id) => SyntheticCustomers.Generate(1, 3, Now).Single() with { CustomerId = id };
}
