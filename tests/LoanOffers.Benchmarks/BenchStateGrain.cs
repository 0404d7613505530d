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

/// <summary>A grain with one ~1 KB state, read and written as a batch touches a customer.</summary>
public abstract class BenchStateGrainBase(IPersistentState<BenchState> state) : Grain, IBenchStateGrain
{
    public const string StateName = "state";

    public Task Write(string payload)
    {
        state.State = state.State with { Payload = payload, Writes = state.State.Writes + 1 };
        return state.WriteStateAsync();
    }

    public Task<int> Read() => Task.FromResult(state.State.Payload.Length);
}

/// <summary>On the project's partitioned table store.</summary>
[GrainType(GrainTypeName)]
public sealed class BenchStateGrain([PersistentState(BenchStateGrainBase.StateName, BenchStateGrain.StoreName)] IPersistentState<BenchState> state) : BenchStateGrainBase(state)
{
    public const string GrainTypeName = "bench.state";
    public const string StoreName = "bench";
}

/// <summary>The same state on Orleans' own Azure table provider.</summary>
[GrainType(GrainTypeName)]
public sealed class OfficialBenchStateGrain([PersistentState(BenchStateGrainBase.StateName, OfficialBenchStateGrain.StoreName)] IPersistentState<BenchState> state) : BenchStateGrainBase(state)
{
    public const string GrainTypeName = "bench.official-state";
    public const string StoreName = "official";
}
