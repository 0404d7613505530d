using Orleans;
using Orleans.Runtime;

namespace LoanOffers.Benchmarks;

[GenerateSerializer, Alias("bench.state")]
public sealed record BenchState
{
    [Id(0)] public string Payload { get; init; } = string.Empty;

    [Id(1)] public int Writes { get; init; }

    public static string PayloadOfAbout(int bytes) => new('x', bytes - 40);
}

[Alias("bench.IBenchStateGrain")]
public interface IBenchStateGrain : IGrainWithStringKey
{
    Task Write(string payload);

    Task<int> Read();
}

[GrainType(GrainTypeName)]
public sealed class BenchStateGrain([PersistentState(BenchStateGrain.StateName, "bench")] IPersistentState<BenchState> state) : Grain, IBenchStateGrain
{
    public const string GrainTypeName = "bench.state";
    public const string StateName = "state";

    public Task Write(string payload)
    {
        state.State = state.State with { Payload = payload, Writes = state.State.Writes + 1 };
        return state.WriteStateAsync();
    }

    public Task<int> Read() => Task.FromResult(state.State.Payload.Length);
}
