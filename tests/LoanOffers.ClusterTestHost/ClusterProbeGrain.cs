using Orleans;
using Orleans.Placement;
using Orleans.Runtime;

namespace LoanOffers.ClusterTestHost;

[GenerateSerializer, Alias("cluster-test.probe-state")]
public sealed record ClusterProbeState
{
    [Id(0)] public int Writes { get; init; }

    [Id(1)] public string Note { get; init; } = string.Empty;

    [Id(2)] public int ReminderTicks { get; init; }

    [Id(3)] public string? LastReminderSilo { get; init; }
}

/// <summary>The silo and operating-system process an activation runs in.</summary>
[GenerateSerializer, Alias("cluster-test.probe-host")]
public sealed record ProbeHost([property: Id(0)] string SiloAddress, [property: Id(1)] int ProcessId);

/// <summary>A grain with persistent state and a reminder, for watching where activations live and what survives a silo.</summary>
[Alias("cluster-test.IClusterProbeGrain")]
public interface IClusterProbeGrain : IGrainWithStringKey
{
    Task<ClusterProbeState> Write(string note);

    Task<ClusterProbeState> Read();

    Task<ProbeHost> Host();

    Task StartReminder(TimeSpan period);
}

// Random placement spreads the probes over every silo, so the silo a test stops is sure to host some of them.
[GrainType("cluster-test.probe"), RandomPlacement]
public sealed class ClusterProbeGrain(
    [PersistentState("probe", ClusterProbeGrain.StorageName)] IPersistentState<ClusterProbeState> state,
    ILocalSiloDetails silo) : Grain, IClusterProbeGrain, IRemindable
{
    public const string StorageName = "AzureStore";
    private const string ReminderName = "probe-tick";

    public async Task<ClusterProbeState> Write(string note)
    {
        state.State = state.State with { Writes = state.State.Writes + 1, Note = note };
        await state.WriteStateAsync();
        return state.State;
    }

    public Task<ClusterProbeState> Read() => Task.FromResult(state.State);

    public Task<ProbeHost> Host() => Task.FromResult(new ProbeHost(silo.SiloAddress.ToParsableString(), Environment.ProcessId));

    public Task StartReminder(TimeSpan period) => this.RegisterOrUpdateReminder(ReminderName, period, period);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        state.State = state.State with { ReminderTicks = state.State.ReminderTicks + 1, LastReminderSilo = silo.SiloAddress.ToParsableString() };
        await state.WriteStateAsync();
    }
}
