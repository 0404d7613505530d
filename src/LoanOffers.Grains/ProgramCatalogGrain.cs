using System.Collections.Immutable;
using LoanOffers.Abstractions;
using Orleans;
using Orleans.Runtime;

namespace LoanOffers.Grains;

[GenerateSerializer, Immutable, Alias("loanoffers.ProgramCatalogState")]
public sealed record ProgramCatalogState
{
    [Id(0)] public ImmutableDictionary<string, ProgramSummary> Programs { get; init; } = ImmutableDictionary<string, ProgramSummary>.Empty.WithComparers(StringComparer.Ordinal);
}

/// <summary>The engine's programs: one small grain, written only when a program is configured.</summary>
[GrainType(EngineNames.ProgramCatalogGrainType)]
public sealed class ProgramCatalogGrain([PersistentState("catalog")] IPersistentState<ProgramCatalogState> state) : Grain, IProgramCatalogGrain
{
    public async Task Register(ProgramSummary program)
    {
        if (state.State.Programs.TryGetValue(program.ProgramId, out var known) && known.Version >= program.Version)
        {
            return;
        }

        state.State = state.State with { Programs = state.State.Programs.SetItem(program.ProgramId, program) };
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<ProgramSummary>> List() => Task.FromResult<IReadOnlyList<ProgramSummary>>([.. state.State.Programs.Values.OrderBy(program => program.ProgramId, StringComparer.Ordinal)]);
}
