using LoanOffers.Abstractions;
using LoanOffers.Domain;
using Microsoft.Extensions.Options;

namespace LoanOffers.Grains;

/// <summary>The profiles a run ingests, the rows it could not read, and the connector's own columns the profiles carry.</summary>
public sealed record IngestResult(IReadOnlyList<CustomerProfile> Profiles, IReadOnlyList<BadRow> BadRows, FeatureSchema? Schema = null);

/// <summary>Reads a program's first runnable data connector: a CSV file inside the data directory, or synthetic customers.</summary>
public sealed class CustomerSource(IOptions<EngineOptions> options)
{
    public IngestResult Load(ProgramConfig program, DateTimeOffset now)
    {
        var connector = RunnableConnector(program);
        return connector.Type switch
        {
            DataConnectorTypes.Synthetic => Synthetic(connector, now),
            DataConnectorTypes.Csv => LoadCsv(connector),
            _ => throw new InvalidOperationException($"Connector type '{connector.Type}' cannot run here."),
        };
    }

    /// <summary>
    /// The bank's own columns the program's connector supplies beyond the core fields (null: none), read from the CSV
    /// file's header or the synthetic connector's <c>extraFeatures</c>, without reading any customer.
    /// </summary>
    /// <exception cref="InvalidOperationException">The program has no connector that can run here, or its file cannot be read.</exception>
    public FeatureSchema? ExtraColumns(ProgramConfig program)
    {
        var connector = RunnableConnector(program);
        if (connector.Type == DataConnectorTypes.Synthetic)
        {
            return SyntheticExtraColumns(connector);
        }

        var path = ResolveInsideDataDirectory(connector.Config.GetValueOrDefault("path"));
        using var reader = new StreamReader(path);
        FeatureSchema? schema = null;
        _ = CustomerCsvReader.Read(reader, found => schema = found).FirstOrDefault();
        return schema;
    }

    private static DataConnectorConfig RunnableConnector(ProgramConfig program) =>
        program.DataConnectors.FirstOrDefault(c => DataConnectorTypes.IsRunnable(c.Type))
            ?? throw new InvalidOperationException($"Program '{program.ProgramId}' has no runnable data connector (csv or synthetic).");

    /// <summary>
    /// Synthetic customers; an optional <c>idPrefix</c> keeps several synthetic populations apart, and
    /// <c>extraFeatures</c> (comma-separated names) gives each customer columns of its own, as a bank's warehouse would.
    /// </summary>
    private static IngestResult Synthetic(DataConnectorConfig connector, DateTimeOffset now)
    {
        var prefix = connector.Config.GetValueOrDefault("idPrefix") ?? string.Empty;
        var seed = ConfigInt(connector, "seed", 42);
        var schema = SyntheticExtraColumns(connector);
        var profiles = SyntheticCustomers.GenerateAll(ConfigInt(connector, "count", 10_000), seed, now)
            .Select(profile => prefix.Length == 0 ? profile : profile with { CustomerId = prefix + profile.CustomerId })
            .Select(profile => schema is null ? profile : profile with { Extra = SyntheticCustomers.ExtraFeatures(profile, schema, seed) })
            .ToList();
        return new IngestResult(profiles, [], schema);
    }

    private static FeatureSchema? SyntheticExtraColumns(DataConnectorConfig connector) =>
        connector.Config.GetValueOrDefault("extraFeatures")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } names
            ? new FeatureSchema(names)
            : null;

    private IngestResult LoadCsv(DataConnectorConfig connector)
    {
        var path = ResolveInsideDataDirectory(connector.Config.GetValueOrDefault("path"));
        var profiles = new List<CustomerProfile>();
        var badRows = new List<BadRow>();
        var firstLineOf = new Dictionary<string, int>(StringComparer.Ordinal);
        FeatureSchema? schema = null;
        using var reader = new StreamReader(path);
        foreach (var record in CustomerCsvReader.Read(reader, found => schema = found))
        {
            if (record.Profile is { } profile && firstLineOf.TryGetValue(profile.CustomerId, out var firstLine))
            {
                badRows.Add(new BadRow(record.LineNumber, $"duplicate customer_id '{profile.CustomerId}' (first on line {firstLine})"));
            }
            else if (record.Profile is { } unique)
            {
                firstLineOf[unique.CustomerId] = record.LineNumber;
                profiles.Add(unique);
            }
            else
            {
                badRows.Add(new BadRow(record.LineNumber, record.Error ?? "unreadable row"));
            }
        }

        return new IngestResult(profiles, badRows, schema);
    }

    /// <summary>A program's CSV path comes from an admin request, so it may only name a file inside the data directory.</summary>
    public string ResolveInsideDataDirectory(string? relativePath)
    {
        if (string.IsNullOrWhiteSpace(relativePath) || Path.IsPathRooted(relativePath))
        {
            throw new InvalidOperationException("The csv connector's 'path' must be a relative path inside the engine's data directory.");
        }

        var root = Path.GetFullPath(options.Value.DataDirectory);
        var full = Path.GetFullPath(Path.Combine(root, relativePath));
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The csv connector's path '{relativePath}' leaves the data directory.");
        }

        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"The csv connector's file '{relativePath}' does not exist in the data directory.");
        }

        return full;
    }

    private static int ConfigInt(DataConnectorConfig connector, string key, int fallback) =>
        connector.Config.TryGetValue(key, out var text) && int.TryParse(text, out var value) ? value : fallback;
}
