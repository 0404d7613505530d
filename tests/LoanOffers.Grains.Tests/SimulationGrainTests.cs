using LoanOffers.Abstractions;
using LoanOffers.Domain;
using Orleans.Runtime;

namespace LoanOffers.Grains.Tests;

[Collection(EngineCollection.Name)]
public sealed class SimulationGrainTests(EngineClusterFixture fixture)
{
    private async Task<SimulationStatus> UntilDoneAsync(ISimulationGrain simulation)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (await simulation.GetStatus() is { State: RunState.Running } status)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Still running: {status.Processed}/{status.Total}.");
            await Task.Delay(50);
        }

        return (await simulation.GetStatus())!;
    }

    [Fact]
    public async Task A_simulation_whose_activation_is_lost_carries_on_from_its_last_checkpoint_and_counts_every_customer_once()
    {
        var live = EngineClusterFixture.DemoProgram(6_000);
        await fixture.Grains.GetGrain<IProgramGrain>(live.ProgramId).Configure(live);
        var proposed = live with { ProcessingFeePercent = 3m };
        var request = new SimulationRequest(proposed, live, Sample: null, "test");

        var interrupted = fixture.Grains.GetGrain<ISimulationGrain>($"{live.ProgramId}/interrupted");
        await interrupted.Start(request);
        while (await interrupted.GetStatus() is { Processed: < 1_000, State: RunState.Running })
        {
            await Task.Delay(20);
        }

        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var resumed = await interrupted.GetStatus();
        Assert.Equal(RunState.Running, resumed!.State);
        Assert.True(resumed.Processed % 1_000 == 0 && resumed.Processed < 6_000, $"resumed at {resumed.Processed}, not at a checkpoint");

        var finished = await UntilDoneAsync(interrupted);
        var whole = await UntilDoneAsync(await StartAsync(fixture.Grains.GetGrain<ISimulationGrain>($"{live.ProgramId}/whole"), request));

        Assert.Equal((RunState.Completed, 6_000, 6_000, 6_000), (finished.State, finished.Processed, finished.Live.Evaluated, finished.Proposed.Evaluated));
        Assert.Equal(whole.Live.Offered, finished.Live.Offered);
        Assert.Equal(whole.Proposed.RejectedByFilter, finished.Proposed.RejectedByFilter);
        Assert.Equal(whole.Proposed.OffersByTier, finished.Proposed.OffersByTier);
    }

    private static async Task<ISimulationGrain> StartAsync(ISimulationGrain simulation, SimulationRequest request)
    {
        await simulation.Start(request);
        return simulation;
    }
}
