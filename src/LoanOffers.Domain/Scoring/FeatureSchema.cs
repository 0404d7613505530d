using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Orleans;

namespace LoanOffers.Domain;

/// <summary>
/// The names of the numeric columns a connector supplies beyond the core fields, in the order their values are kept
/// (<see cref="ExtraFeatures"/>). Its <see cref="Id"/> is a hash of the names, so a customer's row carries a short id
/// rather than the names, and two connectors with the same columns share one schema.
/// </summary>
public sealed class FeatureSchema
{
    private readonly FrozenDictionary<string, int> _positions;

    public FeatureSchema(IReadOnlyList<string> names)
    {
        Names = [.. names];
        _positions = Names.Select((name, position) => (name, position)).ToFrozenDictionary(entry => entry.name, entry => entry.position, StringComparer.Ordinal);
        if (_positions.Count != Names.Count)
        {
            throw new ArgumentException("A column is named twice.", nameof(names));
        }

        Id = "fs-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', Names))))[..16];
    }

    public string Id { get; }

    public IReadOnlyList<string> Names { get; }

    /// <summary>Where <paramref name="name"/>'s value is kept; -1 when the schema has no such column.</summary>
    public int PositionOf(string name) => _positions.GetValueOrDefault(name, -1);
}

/// <summary>A customer's values of its connector's extra columns, in the order of the schema <see cref="SchemaId"/> names.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.ExtraFeatures")]
public sealed record ExtraFeatures([property: Id(0)] string SchemaId, [property: Id(1)] float[] Values)
{
    public bool Equals(ExtraFeatures? other) =>
        other is not null && SchemaId == other.SchemaId && Values.AsSpan().SequenceEqual(other.Values);

    public override int GetHashCode() => HashCode.Combine(SchemaId, Values.Length);
}
