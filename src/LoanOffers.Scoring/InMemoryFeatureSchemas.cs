using System.Collections.Concurrent;
using LoanOffers.Domain;

namespace LoanOffers.Scoring;

/// <summary>Connector schemas kept in this process only: for a scoring service that runs without the engine's cluster.</summary>
public sealed class InMemoryFeatureSchemas : IFeatureSchemas
{
    private readonly ConcurrentDictionary<string, FeatureSchema> _schemas = new(StringComparer.Ordinal);

    public void Add(FeatureSchema schema) => _schemas.TryAdd(schema.Id, schema);

    public ValueTask<FeatureSchema> GetAsync(string schemaId, CancellationToken cancellationToken = default) =>
        _schemas.TryGetValue(schemaId, out var schema)
            ? ValueTask.FromResult(schema)
            : ValueTask.FromException<FeatureSchema>(new KeyNotFoundException($"No connector schema '{schemaId}' was given."));
}
