using Orleans;
using Orleans.Runtime;

namespace LoanOffers.Storage.AzureTables.Tests;

[GenerateSerializer, Alias("tests.counter-state")]
public sealed record CounterState
{
    [Id(0)] public int Count { get; init; }

    [Id(1)] public string Note { get; init; } = string.Empty;

    [Id(2)] public int ReminderTicks { get; init; }

    [Id(3)] public string? LastReminderSilo { get; init; }
}

[Alias("tests.ICounterGrain")]
public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> Increment(string note);

    Task<CounterState> Get();

    Task<string> Silo();

    Task StartReminder(TimeSpan period);

    Task StopReminder();
}

[GrainType("tests.counter")]
public sealed class CounterGrain(
    [PersistentState("counter", "AzureStore")] IPersistentState<CounterState> state,
    ILocalSiloDetails silo) : Grain, ICounterGrain, IRemindable
{
    public async Task<int> Increment(string note)
    {
        state.State = state.State with { Count = state.State.Count + 1, Note = note };
        await state.WriteStateAsync();
        return state.State.Count;
    }

    public Task<CounterState> Get() => Task.FromResult(state.State);

    public Task<string> Silo() => Task.FromResult(silo.SiloAddress.ToString());

    public Task StartReminder(TimeSpan period) => this.RegisterOrUpdateReminder("tick", period, period);

    public async Task StopReminder()
    {
        if (await this.GetReminder("tick") is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        state.State = state.State with { ReminderTicks = state.State.ReminderTicks + 1, LastReminderSilo = silo.SiloAddress.ToString() };
        await state.WriteStateAsync();
    }
}
