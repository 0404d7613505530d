using System.Collections.Concurrent;
using LoanOffers.Abstractions;
using LoanOffers.Domain;
using LoanOffers.Scoring;
using Orleans;

namespace LoanOffers.Grains;

/// <summary>
/// The connector schemas this silo has met, by id. A schema never changes under its id (the id is a hash of the
/// names), so each is read from its grain once and kept.
/// </summary>
public sealed class FeatureSchemas(IGrainFactory grains) : IFeatureSchemas
{
    private readonly ConcurrentDictionary<string, FeatureSchema> _known = new(StringComparer.Ordinal);

    /// <summary>Keeps a schema a connector supplies, before any customer carrying its id is scored.</summary>
    public async Task RegisterAsync(FeatureSchema schema)
    {
        if (!_known.ContainsKey(schema.Id))
        {
            await grains.GetGrain<IFeatureSchemaGrain>(schema.Id).Register(schema.Names);
            _known.TryAdd(schema.Id, schema);
        }
    }

    public ValueTask<FeatureSchema> GetAsync(string schemaId, CancellationToken cancellationToken = default) =>
        _known.TryGetValue(schemaId, out var schema) ? ValueTask.FromResult(schema) : new ValueTask<FeatureSchema>(ReadAsync(schemaId));

    private async Task<FeatureSchema> ReadAsync(string schemaId)
    {
        var names = await grains.GetGrain<IFeatureSchemaGrain>(schemaId).GetNames()
            ?? throw new KeyNotFoundException($"No connector schema '{schemaId}' was registered.");
        return _known.GetOrAdd(schemaId, new FeatureSchema(names));
    }
}
