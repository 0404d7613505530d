using Azure;
using Azure.Data.Tables;

namespace LoanOffers.Storage.AzureTables;

/// <summary>One row operation waiting for its partition's next transaction.</summary>
internal sealed class PendingRowOperation(TableTransactionActionType type, TableEntity entity, ETag etag)
{
    public TableTransactionActionType Type { get; } = type;

    public TableEntity Entity { get; } = entity;

    public ETag ETag { get; } = etag;

    public string RowKey => Entity.RowKey;

    public TaskCompletionSource<ETag?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TableTransactionAction ToAction() => new(Type, Entity, ETag);
}

/// <summary>
/// Group commit for one partition: whatever rows of the partition are queued while its previous transaction is in
/// flight leave together in the next entity group transaction (up to 100 rows). A lone write goes out at once, so
/// an interactive write pays no waiting; a batch that writes many grains of one partition at a time pays one round
/// trip per hundred rows. Each row keeps its own outcome: when one row of a transaction fails its ETag check, only
/// that row's writer gets the conflict and the others are sent again without it.
/// </summary>
internal sealed class PartitionWriteQueue(TableClient table, int maxBatchSize, int maxConcurrentBatches)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<PendingRowOperation> _pending = new();
    private int _inFlight;

    public Task<ETag?> Enqueue(PendingRowOperation operation)
    {
        bool startDrain;
        lock (_gate)
        {
            _pending.AddLast(operation);
            startDrain = _inFlight < maxConcurrentBatches;
            if (startDrain)
            {
                _inFlight++;
            }
        }

        if (startDrain)
        {
            // Off the caller's scheduler: a grain turn must not run storage round trips of other grains.
            _ = Task.Run(DrainAsync);
        }

        return operation.Completion.Task;
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            List<PendingRowOperation> batch;
            lock (_gate)
            {
                batch = TakeBatch();
                if (batch.Count == 0)
                {
                    _inFlight--;
                    return;
                }
            }

            await SubmitAsync(batch);
        }
    }

    /// <summary>Takes queued rows in order, at most one operation per row key (a transaction may touch a row once).</summary>
    private List<PendingRowOperation> TakeBatch()
    {
        var batch = new List<PendingRowOperation>(Math.Min(_pending.Count, maxBatchSize));
        HashSet<string>? rowKeys = null;
        var node = _pending.First;
        while (node is not null && batch.Count < maxBatchSize)
        {
            var next = node.Next;
            rowKeys ??= new HashSet<string>(StringComparer.Ordinal);
            if (rowKeys.Add(node.Value.RowKey))
            {
                batch.Add(node.Value);
                _pending.Remove(node);
            }

            node = next;
        }

        return batch;
    }

    private async Task SubmitAsync(List<PendingRowOperation> batch)
    {
        if (batch.Count == 1)
        {
            await SubmitSingleAsync(batch[0]);
            return;
        }

        try
        {
            var response = await table.SubmitTransactionAsync(batch.Select(operation => operation.ToAction()));
            for (var index = 0; index < batch.Count; index++)
            {
                var etag = response.Value[index].Headers.ETag;
                batch[index].Completion.TrySetResult(etag);
            }
        }
        catch (TableTransactionFailedException failure) when (failure.FailedTransactionActionIndex is int failedIndex
                                                              && failedIndex >= 0 && failedIndex < batch.Count)
        {
            batch[failedIndex].Completion.TrySetException(failure);
            Requeue(batch.Where((_, index) => index != failedIndex));
        }
        catch (RequestFailedException)
        {
            // The service did not say which row failed: each row finds out on its own.
            foreach (var operation in batch)
            {
                await SubmitSingleAsync(operation);
            }
        }
        catch (Exception unexpected)
        {
            foreach (var operation in batch)
            {
                operation.Completion.TrySetException(unexpected);
            }
        }
    }

    private async Task SubmitSingleAsync(PendingRowOperation operation)
    {
        try
        {
            Response response = operation.Type switch
            {
                TableTransactionActionType.Add => await table.AddEntityAsync(operation.Entity),
                TableTransactionActionType.UpdateReplace => await table.UpdateEntityAsync(operation.Entity, operation.ETag, TableUpdateMode.Replace),
                TableTransactionActionType.UpsertReplace => await table.UpsertEntityAsync(operation.Entity, TableUpdateMode.Replace),
                TableTransactionActionType.Delete => await table.DeleteEntityAsync(operation.Entity.PartitionKey, operation.Entity.RowKey, operation.ETag),
                _ => throw new NotSupportedException($"Row operation {operation.Type} is not used by the grain storage."),
            };
            operation.Completion.TrySetResult(operation.Type == TableTransactionActionType.Delete ? null : response.Headers.ETag);
        }
        catch (Exception failure)
        {
            operation.Completion.TrySetException(failure);
        }
    }

    private void Requeue(IEnumerable<PendingRowOperation> operations)
    {
        lock (_gate)
        {
            foreach (var operation in operations.Reverse())
            {
                _pending.AddFirst(operation);
            }
        }
    }
}
