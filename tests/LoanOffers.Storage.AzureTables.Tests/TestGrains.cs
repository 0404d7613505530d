using Orleans;
using Orleans.Runtime;

namespace LoanOffers.Storage.AzureTables.Tests;

[GenerateSerializer, Alias("tests.counter-state")]
public sealed record CounterState
{
    [Id(0)] public int Count { get; init; }

    [Id(1)] public string Note { get; init; } = string.Empty;
}

[Alias("tests.ICounterGrain")]
public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> Increment(string note);

    Task<CounterState> Get();
}

[GrainType("tests.counter")]
public sealed class CounterGrain(
    [PersistentState("counter", "AzureStore")] IPersistentState<CounterState> state) : Grain, ICounterGrain
{
    public async Task<int> Increment(string note)
    {
        state.State = state.State with { Count = state.State.Count + 1, Note = note };
        await state.WriteStateAsync();
        return state.State.Count;
    }

    public Task<CounterState> Get() => Task.FromResult(state.State);
}
