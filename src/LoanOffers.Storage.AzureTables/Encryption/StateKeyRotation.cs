using Azure;
using Azure.Data.Tables;

namespace LoanOffers.Storage.AzureTables;

/// <summary>What a key rotation pass did.</summary>
public sealed record KeyRotationReport(long Rows, long Reencrypted, long AlreadyCurrent, long ChangedMeanwhile)
{
    /// <summary>Whether every row now uses the active key (rows a live write changed meanwhile were written with it).</summary>
    public bool Complete => ChangedMeanwhile == 0;
}

/// <summary>
/// Re-encrypts every stored state under the active key: rows under an older key, and rows stored before encryption
/// was on. Each row is replaced only if it has not changed since it was read (its ETag), so a pass can run while the
/// engine serves; a row a live write changed meanwhile is counted, and a second pass picks it up if it needs it.
/// </summary>
public static class StateKeyRotation
{
    public static async Task<KeyRotationReport> RotateAsync(TableServiceClient service, IEnumerable<string> tableNames, StateEncryption encryption, CancellationToken cancellationToken = default)
    {
        long rows = 0, reencrypted = 0, current = 0, changed = 0;
        await Parallel.ForEachAsync(tableNames, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (tableName, token) =>
        {
            var table = service.GetTableClient(tableName);
            await foreach (var row in table.QueryAsync<TableEntity>(maxPerPage: 1000, cancellationToken: token))
            {
                Interlocked.Increment(ref rows);
                if (StateRows.GetPayload(row) is not { } stored || row.GetString(StateRows.KeyIdProperty) == encryption.ActiveKeyId)
                {
                    Interlocked.Increment(ref current);
                    continue;
                }

                StateRows.SetPayload(row, StateRows.Seal(row, StateRows.Open(row, stored, encryption), encryption));
                try
                {
                    await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, token);
                    Interlocked.Increment(ref reencrypted);
                }
                catch (RequestFailedException conflict) when (conflict.Status is 404 or 412)
                {
                    Interlocked.Increment(ref changed);
                }
            }
        });
        return new KeyRotationReport(rows, reencrypted, current, changed);
    }
}
