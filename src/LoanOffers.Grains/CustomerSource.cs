using LoanOffers.Abstractions;
using LoanOffers.Domain;
using Microsoft.Extensions.Options;

namespace LoanOffers.Grains;

/// <summary>The profiles a run ingests, and the rows it could not read.</summary>
public sealed record IngestResult(IReadOnlyList<CustomerProfile> Profiles, IReadOnlyList<BadRow> BadRows);

/// <summary>Reads a program's first runnable data connector: a CSV file inside the data directory, or synthetic customers.</summary>
public sealed class CustomerSource(IOptions<EngineOptions> options)
{
    public IngestResult Load(ProgramConfig program, DateTimeOffset now)
    {
        var connector = program.DataConnectors.FirstOrDefault(c => DataConnectorTypes.IsRunnable(c.Type))
            ?? throw new InvalidOperationException($"Program '{program.ProgramId}' has no runnable data connector (csv or synthetic).");
        return connector.Type switch
        {
            DataConnectorTypes.Synthetic => new IngestResult(Synthetic(connector, now), []),
            DataConnectorTypes.Csv => LoadCsv(connector),
            _ => throw new InvalidOperationException($"Connector type '{connector.Type}' cannot run here."),
        };
    }

    /// <summary>Synthetic customers; an optional <c>idPrefix</c> keeps several synthetic populations apart.</summary>
    private static List<CustomerProfile> Synthetic(DataConnectorConfig connector, DateTimeOffset now)
    {
        var prefix = connector.Config.GetValueOrDefault("idPrefix") ?? string.Empty;
        return SyntheticCustomers.Generate(ConfigInt(connector, "count", 10_000), ConfigInt(connector, "seed", 42), now)
            .Select(profile => prefix.Length == 0 ? profile : profile with { CustomerId = prefix + profile.CustomerId })
            .ToList();
    }

    private IngestResult LoadCsv(DataConnectorConfig connector)
    {
        var path = ResolveInsideDataDirectory(connector.Config.GetValueOrDefault("path"));
        var profiles = new List<CustomerProfile>();
        var badRows = new List<BadRow>();
        var firstLineOf = new Dictionary<string, int>(StringComparer.Ordinal);
        using var reader = new StreamReader(path);
        foreach (var record in CustomerCsvReader.Read(reader))
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

        return new IngestResult(profiles, badRows);
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
