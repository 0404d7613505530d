using Orleans;
using Orleans.Serialization;
using Orleans.Runtime;
using Orleans.Storage;

namespace LoanOffers.Storage.AzureTables;

/// <summary>Options of one named Azure Table grain-storage provider.</summary>
public sealed class PartitionedTableGrainStorageOptions : AzureTableConnectionOptions, IStorageProviderSerializerOptions
{
    public const int MaxTransactionSize = 100;

    /// <summary>Base name of the state tables; with <see cref="TableCount"/> &gt; 1 the tables are named Base00, Base01, ...</summary>
    public string TableName { get; set; } = "OrleansGrainState";

    /// <summary>
    /// How many tables the rows are spread over. Azurite's cost per transaction grows with a table's size, and
    /// Azure Tables scale per partition, so spreading keeps bulk writes fast (see DESIGN.md's Azurite figures).
    /// </summary>
    public int TableCount { get; set; } = 16;

    /// <summary>Partitions per table. Rows of one partition written in the same moment share entity group transactions.</summary>
    public int PartitionsPerTable { get; set; } = 16;

    /// <summary>
    /// Tables an earlier layout kept these states in (other tables than <see cref="TableName"/>'s). When they exist at
    /// start, their rows move to where this layout puts them and the tables are dropped; null: nothing to move.
    /// </summary>
    public GrainStateTables? PreviousLayout { get; set; }

    /// <summary>Whether ClearStateAsync deletes the row (true) or keeps an empty row with a new ETag (false).</summary>
    public bool DeleteStateOnClear { get; set; } = true;

    /// <summary>Rows per entity group transaction, at most 100 (the service limit).</summary>
    public int MaxBatchSize { get; set; } = MaxTransactionSize;

    /// <summary>How many transactions of one partition may be in flight at once.</summary>
    public int MaxConcurrentBatchesPerPartition { get; set; } = 1;

    /// <summary>How long prefetched rows wait for their grain before they are dropped.</summary>
    public TimeSpan ReadAheadTimeToLive { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Whether state is Brotli-compressed before it is stored. JSON state shrinks to about a third, which cuts what
    /// the table service parses and stores per row (a batch's main cost on Azurite) for a few microseconds of CPU.
    /// Rows are marked, so turning this on or off keeps every existing row readable.
    /// </summary>
    public bool CompressState { get; set; }

    /// <summary>
    /// Encrypts every state before it is stored (after compression), marking the row with its key id; null stores
    /// states as they are. Rows without a key id stay readable, so turning this on keeps existing rows readable until
    /// <see cref="StateKeyRotation"/> encrypts them.
    /// </summary>
    public StateEncryption? Encryption { get; set; }

    /// <summary>Silo lifecycle stage at which the tables are created.</summary>
    public int InitStage { get; set; } = ServiceLifecycleStage.ApplicationServices;

    /// <summary>
    /// How state is turned into bytes; by default <see cref="GrainStateSerializers.Json"/>.
    /// </summary>
    public IGrainStorageSerializer GrainStorageSerializer { get; set; } = GrainStateSerializers.Json;
}

/// <summary>A set of state tables: the base name, how many tables and how many partitions each.</summary>
public sealed record GrainStateTables(string TableName, int TableCount, int PartitionsPerTable);
