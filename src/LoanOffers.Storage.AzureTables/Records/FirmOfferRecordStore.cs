using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using LoanOffers.Abstractions;
using LoanOffers.Domain;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Serialization;

namespace LoanOffers.Storage.AzureTables;

/// <summary>
/// The append-only firm-offer records on one Azure table. Customers are spread over buckets by their grain's hash, as
/// the customer store spreads its rows, so a batch's storage partition is one bucket: its records of a run are written
/// together in page rows (one per 32 offered customers, not one per offer), and a customer's records are found in its
/// bucket's partition. Each program version's configuration is kept once, in a row of its own, as long as any record
/// made under it.
/// </summary>
public sealed partial class FirmOfferRecordStore(
    TableServiceClient service, string tableName, string customerGrainType, Serializer serializer, StateEncryption? encryption, ILogger<FirmOfferRecordStore> logger)
{
    private const int Buckets = 256;
    private const string CriteriaPartition = "criteria";

    /// <summary>
    /// Records per page row: a page stays well under the large-object heap's 85 KB, so a batch's pages are short-lived
    /// small allocations; measured, 250-record pages cost the engine and Azurite more.
    /// </summary>
    private const int RecordsPerPage = 32;

    private readonly TableClient _table = service.GetTableClient(tableName);
    private readonly GrainType _customerGrainType = GrainType.Create(customerGrainType);

    public Task CreateTableAsync(CancellationToken cancellationToken = default) => _table.CreateIfNotExistsAsync(cancellationToken);

    /// <summary>Keeps a program version's configuration for as long as an offer made under it at <paramref name="offersMadeAt"/> is kept.</summary>
    public async Task KeepCriteriaAsync(ProgramConfig config, DateTimeOffset offersMadeAt, CancellationToken cancellationToken = default)
    {
        var row = new TableEntity(CriteriaPartition, CriteriaKey(config.ProgramId, config.Version))
        {
            ["ProgramId"] = config.ProgramId,
            ["Version"] = config.Version,
            ["Config"] = JsonSerializer.Serialize(config, ApiJson.Options),
            ["RetainUntil"] = offersMadeAt.AddMonths(FirmOfferRecord.RetentionMonths),
        };
        await _table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>
    /// Adds records as pages: the records of one bucket, program and run (a storage partition's, in a batch) share a
    /// row, in pages of up to <see cref="RecordsPerPage"/>, so a run adds a row per page, not one per offer. A page
    /// already there (a partition redone after a crash) is kept as it was: nothing is ever overwritten.
    /// </summary>
    public async Task AppendAsync(IReadOnlyCollection<FirmOfferRecord> records, CancellationToken cancellationToken = default)
    {
        var pages = records
            .GroupBy(record => (Bucket: Bucket(record.CustomerId), record.ProgramId, record.RunId, record.MadeAt))
            .SelectMany(group => group
                .DistinctBy(record => record.CustomerId)
                .OrderBy(record => record.CustomerId, StringComparer.Ordinal)
                .Chunk(RecordsPerPage)
                .Select(page => ToPage(group.Key.Bucket, page)))
            .ToList();
        await Parallel.ForEachAsync(pages, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (page, token) =>
        {
            try
            {
                await _table.AddEntityAsync(page, token);
            }
            catch (RequestFailedException exists) when (exists.Status == 409)
            {
            }
        });
    }

    /// <summary>A customer's records, newest first, with the criteria of the program versions they were made under.</summary>
    public async Task<CustomerRecords> ForCustomerAsync(string customerId, CancellationToken cancellationToken = default)
    {
        var bucket = Bucket(customerId);
        var pages = new List<string>();
        await foreach (var row in _table.QueryAsync<TableEntity>($"PartitionKey eq '{bucket}'", select: ["RowKey", "Customers"], cancellationToken: cancellationToken))
        {
            if (JsonSerializer.Deserialize<string[]>(row.GetString("Customers") ?? "[]")!.Contains(customerId, StringComparer.Ordinal))
            {
                pages.Add(row.RowKey);
            }
        }

        var records = new List<FirmOfferRecord>();
        foreach (var rowKey in pages)
        {
            var page = await _table.GetEntityAsync<TableEntity>(bucket, rowKey, cancellationToken: cancellationToken);
            records.AddRange(FromPage(page.Value).Where(record => record.CustomerId == customerId));
        }

        var criteria = new List<ProgramCriteria>();
        foreach (var (programId, version) in records.Select(record => (record.ProgramId, record.ProgramVersion)).Distinct())
        {
            var row = await _table.GetEntityIfExistsAsync<TableEntity>(CriteriaPartition, CriteriaKey(programId, version), cancellationToken: cancellationToken);
            if (row.HasValue)
            {
                criteria.Add(new ProgramCriteria(
                    programId, version, JsonSerializer.Deserialize<ProgramConfig>(row.Value!.GetString("Config"), ApiJson.Options)!,
                    row.Value.GetDateTimeOffset("RetainUntil") ?? default));
            }
        }

        return new CustomerRecords(
            customerId,
            [.. records.DistinctBy(record => (record.ProgramId, record.RunId)).OrderByDescending(record => record.MadeAt).ThenBy(record => record.ProgramId, StringComparer.Ordinal)],
            criteria);
    }

    /// <summary>The records a run of a program made (every offered customer's), page by page.</summary>
    public async IAsyncEnumerable<FirmOfferRecord> RunRecordsAsync(
        string programId, string runId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // A page's row key is program|made-at|run|hash; the program is a column too, so the query reads no other program's pages.
        var run = TableNames.EscapeKey(runId);
        await foreach (var row in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"ProgramId eq {programId}"), cancellationToken: cancellationToken))
        {
            if (row.PartitionKey != CriteriaPartition && row.RowKey.Split('|') is [_, _, var pageRun, _] && pageRun == run)
            {
                foreach (var record in FromPage(row).Where(record => record.RunId == runId))
                {
                    yield return record;
                }
            }
        }
    }

    /// <summary>Deletes the record pages and criteria of <paramref name="programId"/> whose retention ended by <paramref name="now"/>; returns how many rows.</summary>
    public async Task<int> PurgeAsync(string programId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var due = new List<TableEntity>();
        await foreach (var row in _table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"ProgramId eq {programId} and RetainUntil le {now}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            due.Add(row);
        }

        foreach (var chunk in due.GroupBy(row => row.PartitionKey).SelectMany(partition => partition.Chunk(100)))
        {
            await _table.SubmitTransactionAsync(chunk.Select(row => new TableTransactionAction(TableTransactionActionType.Delete, row, ETag.All)), cancellationToken);
        }

        LogPurged(due.Count, programId, now);
        return due.Count;
    }

    /// <summary>
    /// One page: the records in Orleans' binary format (as the customers' state is stored: compact, cheap to write, and
    /// tolerant of fields added later), Brotli-compressed and encrypted like the customer's state when personal-data
    /// encryption is on, laid out as a customer's state row is (<see cref="StateRows"/>). The customer ids stay readable to find a customer's pages,
    /// and so does what the purge filters on.
    /// </summary>
    private TableEntity ToPage(string bucket, IReadOnlyList<FirmOfferRecord> records)
    {
        var first = records[0];
        var customers = JsonSerializer.Serialize(records.Select(record => record.CustomerId));

        // The same customers make the same key, so a page written again is refused; other customers make another page.
        var rowKey = string.Join('|',
            TableNames.EscapeKey(first.ProgramId), first.MadeAt.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture),
            TableNames.EscapeKey(first.RunId), Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(customers)).AsSpan(0, 8)));
        var serialized = serializer.SerializeToArray(records.ToList());
        var row = new TableEntity(bucket, rowKey)
        {
            ["ProgramId"] = first.ProgramId,
            ["RetainUntil"] = first.RetainUntil,
            ["Customers"] = customers,
            ["RawSize"] = serialized.Length,
        };
        StateRows.SetPayload(row, StateRows.Seal(row, StateCompression.Compress(serialized), encryption));
        return row;
    }

    private IReadOnlyList<FirmOfferRecord> FromPage(TableEntity row)
    {
        var stored = StateRows.Open(row, StateRows.GetPayload(row) ?? [], encryption);
        return serializer.Deserialize<List<FirmOfferRecord>>(StateCompression.Decompress(stored, row.GetInt32("RawSize") ?? 0, row)) ?? [];
    }

    /// <summary>The customer's grain hash picks the bucket, so the customers of one storage partition share one.</summary>
    private string Bucket(string customerId) =>
        "r" + (GrainId.Create(_customerGrainType, customerId).GetUniformHashCode() % Buckets).ToString("D3", CultureInfo.InvariantCulture);

    private static string CriteriaKey(string programId, int version) =>
        TableNames.EscapeKey(programId) + "|" + version.ToString("D6", CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} firm-offer record pages and criteria of program {ProgramId} whose retention ended by {Now}")]
    private partial void LogPurged(int count, string programId, DateTimeOffset now);
}
