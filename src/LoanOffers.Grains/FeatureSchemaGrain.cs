using LoanOffers.Abstractions;
using LoanOffers.Domain;
using Orleans;
using Orleans.Runtime;

namespace LoanOffers.Grains;

[GenerateSerializer, Immutable, Alias("loanoffers.FeatureSchemaState")]
public sealed record FeatureSchemaState
{
    [Id(0)] public IReadOnlyList<string>? Names { get; init; }
}

/// <summary>One connector schema's names; written once, read by each silo once (<see cref="FeatureSchemas"/> keeps them).</summary>
[GrainType(EngineNames.FeatureSchemaGrainType)]
public sealed class FeatureSchemaGrain([PersistentState("schema")] IPersistentState<FeatureSchemaState> state) : Grain, IFeatureSchemaGrain
{
    public async Task Register(IReadOnlyList<string> names)
    {
        var schema = new FeatureSchema(names);
        if (schema.Id != this.GetPrimaryKeyString())
        {
            throw new ArgumentException($"The names are those of schema '{schema.Id}', not '{this.GetPrimaryKeyString()}'.", nameof(names));
        }

        if (state.State.Names is null)
        {
            state.State = new FeatureSchemaState { Names = schema.Names };
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>?> GetNames() => Task.FromResult(state.State.Names);
}
