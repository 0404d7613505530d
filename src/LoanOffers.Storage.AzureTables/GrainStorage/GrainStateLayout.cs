using Orleans.Runtime;

namespace LoanOffers.Storage.AzureTables;

/// <summary>Where a grain's state row lives.</summary>
public readonly record struct GrainStateLocation(int TableIndex, string PartitionKey, string RowKey);

/// <summary>
/// Maps a grain to its table, partition and row. The grain id's uniform hash (stable across processes) picks the
/// table and the partition, so every state of one grain lives in one partition and a batch that walks a partition
/// finds its grains together. The service id prefixes the partition so several services can share the tables.
/// </summary>
public sealed class GrainStateLayout(string serviceId, int tableCount, int partitionsPerTable)
{
    private readonly string _partitionPrefix = TableNames.EscapeKey(serviceId) + "_";

    public int TableCount => tableCount;

    public int PartitionsPerTable => partitionsPerTable;

    public static IEnumerable<string> TableNamesFor(string baseName, int tableCount) =>
        tableCount == 1
            ? [baseName]
            : Enumerable.Range(0, tableCount).Select(index => $"{baseName}{index:D2}");

    public GrainStateLocation Locate(GrainId grainId, string stateName)
    {
        var (table, partition) = Bucket(grainId);
        return new GrainStateLocation(table, PartitionKey(partition), RowKey(grainId, stateName));
    }

    /// <summary>The table and partition index of a grain.</summary>
    public (int Table, int Partition) Bucket(GrainId grainId)
    {
        var hash = grainId.GetUniformHashCode();
        return (TableOf(hash, tableCount), (int)(hash / (uint)tableCount % (uint)partitionsPerTable));
    }

    private static int TableOf(uint hash, int tableCount) => (int)(hash % (uint)tableCount);

    public string PartitionKey(int partition) => _partitionPrefix + partition.ToString("D4");

    public static string RowKey(GrainId grainId, string stateName) =>
        TableNames.EscapeKey(grainId.ToString()) + "|" + TableNames.EscapeKey(stateName);
}
