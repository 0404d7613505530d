using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace LoanOffers.Storage.AzureTables;

/// <summary>
/// Orleans grain storage on Azure Table Storage. One row per grain state, spread over several tables and
/// partitions (<see cref="GrainStateLayout"/>); writes of one partition made in the same moment leave together as
/// entity group transactions (<see cref="PartitionWriteQueue"/>); a batch can read whole partitions ahead
/// (<see cref="IGrainStateReadAhead"/>) so activations find their rows in memory. ETags give optimistic concurrency
/// per row; a lost race surfaces as <see cref="InconsistentStateException"/>.
/// </summary>
public sealed partial class PartitionedTableGrainStorage : IGrainStorage, IGrainStateReadAhead, ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>Data properties per row; 15 x 64 KiB plus keys stays inside the 1 MiB entity limit.</summary>
    internal const int MaxDataProperties = 15;

    internal const int MaxStateBytes = StateRows.MaxPropertyBytes * MaxDataProperties;

    /// <summary>On a compressed row: the size of the state before compression.</summary>
    private const string RawSizeProperty = "RawSize";

    private readonly string _name;
    private readonly PartitionedTableGrainStorageOptions _options;
    private readonly IActivatorProvider _activators;
    private readonly ILogger<PartitionedTableGrainStorage> _logger;
    private readonly TableClient[] _tables;
    private readonly ConcurrentDictionary<(int Table, string PartitionKey), PartitionWriteQueue> _writeQueues = new();
    private readonly ReadAheadCache _readAhead;

    public PartitionedTableGrainStorage(
        string name,
        PartitionedTableGrainStorageOptions options,
        IOptions<ClusterOptions> clusterOptions,
        IActivatorProvider activators,
        ILogger<PartitionedTableGrainStorage> logger)
    {
        _name = name;
        _options = options;
        _activators = activators;
        _logger = logger;
        Layout = new GrainStateLayout(clusterOptions.Value.ServiceId, options.TableCount, options.PartitionsPerTable);
        var service = options.CreateClient();
        _tables = GrainStateLayout.TableNamesFor(options.TableName, options.TableCount).Select(service.GetTableClient).ToArray();
        _readAhead = new ReadAheadCache(options.ReadAheadTimeToLive);
    }

    /// <inheritdoc />
    public GrainStateLayout Layout { get; }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(OptionFormattingUtilities.Name<PartitionedTableGrainStorage>(_name), _options.InitStage, CreateTablesAsync);

    /// <summary>Creates the state tables if they are missing, and moves in the rows of the previous layout's tables.</summary>
    public async Task CreateTablesAsync(CancellationToken cancellationToken)
    {
        foreach (var table in _tables)
        {
            await table.CreateIfNotExistsAsync(cancellationToken);
        }

        if (_options.PreviousLayout is { } previous)
        {
            await MoveFromAsync(previous, cancellationToken);
        }

        LogTablesReady(_name, _tables.Length, _options.PartitionsPerTable);
    }

    /// <summary>
    /// Moves every row of the previous layout's tables to where this layout puts it, then drops those tables. A row
    /// is only added where none is yet: another silo may have moved it already, or a grain written it since, and
    /// neither may be overwritten by the older row. Encrypted rows are bound to their keys, so they are opened and
    /// sealed again for their new partition.
    /// </summary>
    private async Task MoveFromAsync(GrainStateTables previous, CancellationToken cancellationToken)
    {
        var service = _options.CreateClient();
        var existing = await TableNames.ExistingAsync(service, GrainStateLayout.TableNamesFor(previous.TableName, previous.TableCount), cancellationToken);
        var moved = 0;
        foreach (var name in existing)
        {
            try
            {
                await foreach (var page in service.GetTableClient(name).QueryAsync<TableEntity>(maxPerPage: 1000, cancellationToken: cancellationToken).AsPages())
                {
                    var rows = page.Values.Select(row => Relocated(row)).ToList();
                    foreach (var partition in rows.GroupBy(row => (row.Table, row.Entity.PartitionKey)))
                    {
                        foreach (var chunk in partition.Chunk(_options.MaxBatchSize))
                        {
                            await AddWhereMissingAsync(_tables[partition.Key.Table], [.. chunk.Select(row => row.Entity)], cancellationToken);
                        }
                    }

                    moved += rows.Count;
                }

                await service.DeleteTableAsync(name, cancellationToken);
            }
            catch (RequestFailedException missing) when (missing.Status == 404)
            {
                // Another silo moved this table's rows and dropped it first.
            }
        }

        if (existing.Count > 0)
        {
            LogMovedLayout(_name, moved, existing.Count, previous.TableCount, previous.PartitionsPerTable, _tables.Length, _options.PartitionsPerTable);
        }
    }

    private (int Table, TableEntity Entity) Relocated(TableEntity row)
    {
        var separator = row.RowKey.IndexOf('|', StringComparison.Ordinal);
        var grainId = GrainId.Parse(Uri.UnescapeDataString(row.RowKey[..separator]));
        var (table, partition) = Layout.Bucket(grainId);

        // The partition key keeps the prefix of the service that wrote it; only the partition number changes.
        var moved = new TableEntity(row.PartitionKey[..(row.PartitionKey.LastIndexOf('_') + 1)] + partition.ToString("D4", CultureInfo.InvariantCulture), row.RowKey);
        if (StateRows.GetPayload(row) is { } stored)
        {
            StateRows.SetPayload(moved, StateRows.Seal(moved, StateRows.Open(row, stored, _options.Encryption), _options.Encryption));
            if (row.GetInt32(RawSizeProperty) is int rawSize)
            {
                moved[RawSizeProperty] = rawSize;
            }
        }

        return (table, moved);
    }

    private static async Task AddWhereMissingAsync(TableClient table, IReadOnlyList<TableEntity> rows, CancellationToken cancellationToken)
    {
        try
        {
            await table.SubmitTransactionAsync(rows.Select(row => new TableTransactionAction(TableTransactionActionType.Add, row)), cancellationToken);
        }
        catch (TableTransactionFailedException conflict) when (conflict.Status == 409)
        {
            foreach (var row in rows)
            {
                try
                {
                    await table.AddEntityAsync(row, cancellationToken);
                }
                catch (RequestFailedException exists) when (exists.Status == 409)
                {
                }
            }
        }
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var location = Layout.Locate(grainId, stateName);
        TableEntity? entity;
        if (_readAhead.TryTake(location, out var prefetched))
        {
            entity = prefetched;
        }
        else
        {
            var response = await _tables[location.TableIndex].GetEntityIfExistsAsync<TableEntity>(location.PartitionKey, location.RowKey);
            entity = response.HasValue ? response.Value : null;
        }

        if (entity is null)
        {
            grainState.State = CreateEmptyState<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        var data = ReadData(entity);
        grainState.ETag = entity.ETag.ToString();
        if (data is null)
        {
            // A row kept by a clear: no state, but its ETag guards the next write.
            grainState.State = CreateEmptyState<T>();
            grainState.RecordExists = false;
            return;
        }

        grainState.State = _options.GrainStorageSerializer.Deserialize<T>(data);
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var location = Layout.Locate(grainId, stateName);
        var data = _options.GrainStorageSerializer.Serialize(grainState.State);
        var entity = CreateEntity(location, data.ToMemory(), grainId, stateName);
        var operation = grainState.ETag is null
            ? new PendingRowOperation(TableTransactionActionType.Add, entity, default)
            : new PendingRowOperation(TableTransactionActionType.UpdateReplace, entity, new ETag(grainState.ETag));

        grainState.ETag = (await ExecuteAsync(location, operation, grainId, stateName, grainState.ETag))?.ToString();
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var location = Layout.Locate(grainId, stateName);
        if (grainState.ETag is null)
        {
            // Nothing was ever written by this activation's view of the row, so there is nothing to delete.
            grainState.State = CreateEmptyState<T>();
            grainState.RecordExists = false;
            return;
        }

        var etag = new ETag(grainState.ETag);
        var operation = _options.DeleteStateOnClear
            ? new PendingRowOperation(TableTransactionActionType.Delete, new TableEntity(location.PartitionKey, location.RowKey), etag)
            : new PendingRowOperation(TableTransactionActionType.UpdateReplace, new TableEntity(location.PartitionKey, location.RowKey), etag);

        var newETag = await ExecuteAsync(location, operation, grainId, stateName, grainState.ETag);
        grainState.ETag = _options.DeleteStateOnClear ? null : newETag?.ToString();
        grainState.State = CreateEmptyState<T>();
        grainState.RecordExists = false;
    }

    /// <inheritdoc />
    public async Task<int> PrefetchAsync(IEnumerable<GrainId> grainIds, string stateName, CancellationToken cancellationToken = default)
    {
        _readAhead.RemoveExpired();
        var partitions = grainIds
            .Select(grainId => Layout.Locate(grainId, stateName))
            .GroupBy(location => (location.TableIndex, location.PartitionKey))
            .ToList();

        var found = 0;
        await Parallel.ForEachAsync(
            partitions,
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (partition, token) =>
            {
                var (tableIndex, partitionKey) = partition.Key;
                var rows = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
                var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}");
                await foreach (var row in _tables[tableIndex].QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: token))
                {
                    rows[row.RowKey] = row;
                }

                foreach (var location in partition)
                {
                    rows.TryGetValue(location.RowKey, out var row);
                    _readAhead.Put(location, row);
                    if (row is not null)
                    {
                        Interlocked.Increment(ref found);
                    }
                }
            });

        return found;
    }

    /// <inheritdoc />
    public void Discard(IEnumerable<GrainId> grainIds, string stateName)
    {
        foreach (var grainId in grainIds)
        {
            _readAhead.Forget(Layout.Locate(grainId, stateName));
        }
    }

    private async Task<ETag?> ExecuteAsync(GrainStateLocation location, PendingRowOperation operation, GrainId grainId, string stateName, string? expectedETag)
    {
        _readAhead.Forget(location);
        var queue = _writeQueues.GetOrAdd(
            (location.TableIndex, location.PartitionKey),
            key => new PartitionWriteQueue(_tables[key.Table], _options.MaxBatchSize, _options.MaxConcurrentBatchesPerPartition));
        try
        {
            return await queue.Enqueue(operation);
        }
        catch (RequestFailedException failure) when (failure.Status is 404 or 409 or 412)
        {
            LogConcurrencyConflict(_name, grainId, stateName, operation.Type.ToString(), failure.Status);
            throw new InconsistentStateException(
                $"Azure table storage '{_name}': {operation.Type} of state '{stateName}' of grain {grainId} lost an optimistic concurrency check (HTTP {failure.Status}).",
                storedEtag: "unknown",
                currentEtag: expectedETag ?? "none",
                failure);
        }
    }

    private TableEntity CreateEntity(GrainStateLocation location, ReadOnlyMemory<byte> state, GrainId grainId, string stateName)
    {
        var bytes = _options.CompressState ? StateCompression.Compress(state.Span) : state;
        var entity = new TableEntity(location.PartitionKey, location.RowKey);
        bytes = StateRows.Seal(entity, bytes, _options.Encryption);

        if (bytes.Length > MaxStateBytes)
        {
            throw new GrainStateTooLargeException(_name, grainId, stateName, bytes.Length, MaxStateBytes);
        }

        if (_options.CompressState)
        {
            entity[RawSizeProperty] = state.Length;
        }

        StateRows.SetPayload(entity, bytes);
        return entity;
    }

    /// <summary>Joins the data properties back together, decrypted and decompressed; null when the row holds no state.</summary>
    private BinaryData? ReadData(TableEntity entity)
    {
        if (StateRows.GetPayload(entity) is not { } stored)
        {
            return null;
        }

        var bytes = StateRows.Open(entity, stored, _options.Encryption);
        return BinaryData.FromBytes(entity.GetInt32(RawSizeProperty) is int rawSize ? StateCompression.Decompress(bytes, rawSize, entity) : bytes);
    }

    private T CreateEmptyState<T>() => _activators.GetActivator<T>().Create();

    [LoggerMessage(Level = LogLevel.Information, Message = "Azure table grain storage '{Name}': moved {Rows} rows from {Tables} tables of the previous layout ({PreviousTables} tables x {PreviousPartitions} partitions) to {TableCount} tables x {Partitions} partitions")]
    private partial void LogMovedLayout(string name, int rows, int tables, int previousTables, int previousPartitions, int tableCount, int partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Azure table grain storage '{Name}' ready: {TableCount} tables x {Partitions} partitions")]
    private partial void LogTablesReady(string name, int tableCount, int partitions);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Azure table grain storage '{Name}': {Operation} of '{StateName}' of {GrainId} lost a concurrency check (HTTP {Status})")]
    private partial void LogConcurrencyConflict(string name, GrainId grainId, string stateName, string operation, int status);
}
