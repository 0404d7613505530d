using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using LoanOffers.Abstractions;
using LoanOffers.Domain;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace LoanOffers.Storage.AzureTables;

/// <summary>
/// The append-only firm-offer records on one Azure table. A customer's records share the partition of every customer
/// whose grain hashes to the same bucket (as the customer store spreads its rows), so a batch appends a storage
/// partition's records in full entity group transactions, and one customer's records are one range query. The
/// profile values a decision used are encrypted like the customer's state when personal-data encryption is on. Each
/// program version's configuration is kept once, in a row of its own, as long as any record made under it.
/// </summary>
public sealed partial class FirmOfferRecordStore(
    TableServiceClient service, string tableName, string customerGrainType, StateEncryption? encryption, ILogger<FirmOfferRecordStore> logger)
{
    private const int Buckets = 256;
    private const string CriteriaPartition = "criteria";

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
    /// Adds records in entity group transactions of up to 100 per partition. A record already there (a partition redone
    /// after a crash) is kept as it was: nothing is ever overwritten.
    /// </summary>
    public async Task AppendAsync(IReadOnlyCollection<FirmOfferRecord> records, CancellationToken cancellationToken = default)
    {
        var batches = records
            .Select(ToRow)
            .GroupBy(row => row.PartitionKey)
            .SelectMany(partition => partition.DistinctBy(row => row.RowKey).Chunk(100))
            .ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (batch, token) =>
        {
            try
            {
                await _table.SubmitTransactionAsync(batch.Select(row => new TableTransactionAction(TableTransactionActionType.Add, row)), token);
            }
            catch (TableTransactionFailedException failure) when (failure.Status == 409)
            {
                foreach (var row in batch)
                {
                    try
                    {
                        await _table.AddEntityAsync(row, token);
                    }
                    catch (RequestFailedException exists) when (exists.Status == 409)
                    {
                    }
                }
            }
        });
    }

    /// <summary>A customer's records, newest first, with the criteria of the program versions they were made under.</summary>
    public async Task<CustomerRecords> ForCustomerAsync(string customerId, CancellationToken cancellationToken = default)
    {
        var prefix = TableNames.EscapeKey(customerId) + "|";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Bucket(customerId)} and RowKey gt {prefix} and RowKey lt {prefix + "\uffff"}");
        var records = new List<FirmOfferRecord>();
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            records.Add(FromRow(row));
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

        return new CustomerRecords(customerId, [.. records.OrderByDescending(record => record.MadeAt)], criteria);
    }

    /// <summary>Deletes the records and criteria of <paramref name="programId"/> whose retention ended by <paramref name="now"/>; returns how many.</summary>
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

    private TableEntity ToRow(FirmOfferRecord record)
    {
        var partitionKey = Bucket(record.CustomerId);
        var rowKey = string.Join('|',
            TableNames.EscapeKey(record.CustomerId), TableNames.EscapeKey(record.ProgramId),
            record.MadeAt.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture), TableNames.EscapeKey(record.RunId));
        var inputs = JsonSerializer.SerializeToUtf8Bytes(record.DecisionInputs, ApiJson.Options);
        var row = new TableEntity(partitionKey, rowKey)
        {
            ["CustomerId"] = record.CustomerId,
            ["ProgramId"] = record.ProgramId,
            ["ProgramVersion"] = record.ProgramVersion,
            ["RunId"] = record.RunId,
            ["MadeAt"] = record.MadeAt,
            ["ExpiresAt"] = record.ExpiresAt,
            ["RetainUntil"] = record.RetainUntil,
            ["Tier"] = record.Tier,
            ["Models"] = JsonSerializer.Serialize(record.Models, ApiJson.Options),
            ["Offers"] = JsonSerializer.Serialize(record.Offers, ApiJson.Options),
        };
        if (encryption is not null)
        {
            row["Inputs"] = encryption.Encrypt(inputs, AssociatedData(partitionKey, rowKey));
            row["KeyId"] = encryption.ActiveKeyId;
        }
        else
        {
            row["Inputs"] = inputs;
        }

        return row;
    }

    private FirmOfferRecord FromRow(TableEntity row)
    {
        var inputs = row.GetBinary("Inputs");
        if (row.GetString("KeyId") is { } keyId)
        {
            inputs = (encryption ?? throw new StateDecryptionException($"A firm-offer record is encrypted under key '{keyId}' and this engine has no encryption keys."))
                .Decrypt(keyId, inputs, AssociatedData(row.PartitionKey, row.RowKey));
        }

        return new FirmOfferRecord(
            row.GetString("CustomerId"),
            row.GetString("ProgramId"),
            row.GetInt32("ProgramVersion") ?? 0,
            row.GetString("RunId"),
            row.GetDateTimeOffset("MadeAt") ?? default,
            row.GetDateTimeOffset("ExpiresAt") ?? default,
            row.GetString("Tier"),
            JsonSerializer.Deserialize<List<ModelScore>>(row.GetString("Models"), ApiJson.Options) ?? [],
            JsonSerializer.Deserialize<List<OfferTerms>>(row.GetString("Offers"), ApiJson.Options) ?? [],
            JsonSerializer.Deserialize<CustomerProfile>(inputs, ApiJson.Options)!);
    }

    /// <summary>The customer's grain hash picks the bucket, so the customers of one storage partition share one.</summary>
    private string Bucket(string customerId) =>
        "r" + (GrainId.Create(_customerGrainType, customerId).GetUniformHashCode() % Buckets).ToString("D3", CultureInfo.InvariantCulture);

    private static string CriteriaKey(string programId, int version) =>
        TableNames.EscapeKey(programId) + "|" + version.ToString("D6", CultureInfo.InvariantCulture);

    private static byte[] AssociatedData(string partitionKey, string rowKey) => Encoding.UTF8.GetBytes(partitionKey + "/" + rowKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} firm-offer records and criteria of program {ProgramId} whose retention ended by {Now}")]
    private partial void LogPurged(int count, string programId, DateTimeOffset now);
}
