using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;

namespace LoanOffers.Storage.AzureTables;

/// <summary>
/// Orleans reminders on Azure Table Storage. The partition key is the service id and the grain's ring hash as
/// eight hex digits, so a silo reads the reminders of its ring range with one range query on the partition key.
/// </summary>
public sealed partial class AzureTableReminderTable(
    IOptions<AzureTableReminderOptions> options,
    IOptions<ClusterOptions> clusterOptions,
    ILogger<AzureTableReminderTable> logger) : IReminderTable
{
    private readonly string _servicePrefix = TableNames.EscapeKey(clusterOptions.Value.ServiceId) + "_";
    private readonly TableClient _table = options.Value.CreateClient().GetTableClient(options.Value.TableName);

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _table.CreateIfNotExistsAsync(cancellationToken);
        LogReady(options.Value.TableName);
    }

    public Task Init() => StartAsync();

    public Task StopAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<ReminderTableData> ReadRows(GrainId grainId) =>
        QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKey(grainId)} and GrainId eq {grainId.ToString()}"));

    /// <summary>Reminders whose grain hash is in the ring range (begin, end]; begin &gt;= end wraps around zero.</summary>
    public Task<ReminderTableData> ReadRows(uint begin, uint end)
    {
        var lower = PartitionKey(begin);
        var upper = PartitionKey(end);
        var first = PartitionKey(uint.MinValue);
        var last = PartitionKey(uint.MaxValue);
        var filter = begin < end
            ? TableClient.CreateQueryFilter($"PartitionKey gt {lower} and PartitionKey le {upper}")
            : TableClient.CreateQueryFilter($"(PartitionKey gt {lower} and PartitionKey le {last}) or (PartitionKey ge {first} and PartitionKey le {upper})");
        return QueryAsync(filter);
    }

    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(PartitionKey(grainId), RowKey(grainId, reminderName));
        return response.HasValue ? ToEntry(response.Value!) : null;
    }

    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        var entity = new TableEntity(PartitionKey(entry.GrainId), RowKey(entry.GrainId, entry.ReminderName))
        {
            ["GrainId"] = entry.GrainId.ToString(),
            ["ReminderName"] = entry.ReminderName,
            ["StartAt"] = new DateTimeOffset(DateTime.SpecifyKind(entry.StartAt, DateTimeKind.Utc)),
            ["PeriodTicks"] = entry.Period.Ticks,
        };
        var response = await _table.UpsertEntityAsync(entity, TableUpdateMode.Replace);
        return response.Headers.ETag.ToString();
    }

    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        try
        {
            var response = await _table.DeleteEntityAsync(PartitionKey(grainId), RowKey(grainId, reminderName), new ETag(eTag));
            return response.Status != 404;
        }
        catch (RequestFailedException failure) when (failure.Status is 404 or 412)
        {
            LogRemoveLostRace(grainId, reminderName, failure.Status);
            return false;
        }
    }

    public async Task TestOnlyClearTable()
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {PartitionKey(uint.MinValue)} and PartitionKey le {PartitionKey(uint.MaxValue)}");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"]))
        {
            await _table.DeleteEntityAsync(row.PartitionKey, row.RowKey);
        }
    }

    private async Task<ReminderTableData> QueryAsync(string filter)
    {
        var entries = new List<ReminderEntry>();
        await foreach (var row in _table.QueryAsync<TableEntity>(filter))
        {
            entries.Add(ToEntry(row));
        }

        return new ReminderTableData(entries);
    }

    private static ReminderEntry ToEntry(TableEntity row) => new()
    {
        GrainId = GrainId.Parse(row.GetString("GrainId")),
        ReminderName = row.GetString("ReminderName"),
        StartAt = row.GetDateTimeOffset("StartAt")!.Value.UtcDateTime,
        Period = TimeSpan.FromTicks(row.GetInt64("PeriodTicks")!.Value),
        ETag = row.ETag.ToString(),
    };

    private string PartitionKey(GrainId grainId) => PartitionKey(grainId.GetUniformHashCode());

    private string PartitionKey(uint hash) => _servicePrefix + hash.ToString("X8", CultureInfo.InvariantCulture);

    private static string RowKey(GrainId grainId, string reminderName) =>
        TableNames.EscapeKey(grainId.ToString()) + "|" + TableNames.EscapeKey(reminderName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Azure table reminders ready in table {Table}")]
    private partial void LogReady(string table);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Removing reminder {ReminderName} of {GrainId} lost to a newer version (HTTP {Status})")]
    private partial void LogRemoveLostRace(GrainId grainId, string reminderName, int status);
}
