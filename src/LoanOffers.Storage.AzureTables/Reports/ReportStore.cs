using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using LoanOffers.Domain.Reports;

namespace LoanOffers.Storage.AzureTables;

/// <summary>
/// The stored reports: each night's origination totals (partition <c>totals|yyyy-MM-dd</c>, a row per program, tier and
/// channel) and each daily origination report built from them (partition <c>daily|yyyy-MM-dd</c>). A marker row
/// says a day's totals or report were taken, even when they hold no rows, so "taken" and "empty" differ.
/// </summary>
public sealed class ReportStore(TableServiceClient service, string tableName)
{
    private const string Marker = "~taken";
    private const string TotalsKind = "totals";
    private const string DailyKind = "daily";

    private readonly TableClient _table = service.GetTableClient(tableName);

    public Task CreateTableAsync(CancellationToken cancellationToken = default) => _table.CreateIfNotExistsAsync(cancellationToken);

    public async Task SaveTotalsAsync(DateOnly day, IReadOnlyList<OriginationTotals> totals, DateTimeOffset takenAt, CancellationToken cancellationToken = default)
    {
        var partition = Partition(TotalsKind, day);
        await SaveAsync(partition, totals.Select(row => Row(partition, row)), takenAt, cancellationToken);
    }

    /// <summary>The totals taken at the end of <paramref name="day"/>; null when none were taken.</summary>
    public async Task<IReadOnlyList<OriginationTotals>?> TotalsAsync(DateOnly day, CancellationToken cancellationToken = default)
    {
        var rows = await ReadAsync(Partition(TotalsKind, day), cancellationToken);
        return rows?.Rows.Select(row => JsonSerializer.Deserialize<OriginationTotals>(row.GetString("Json"), Json)!).ToList();
    }

    public async Task SaveDailyAsync(DailyOriginationReport report, CancellationToken cancellationToken = default)
    {
        var partition = Partition(DailyKind, report.Day);
        await SaveAsync(partition, report.Rows.Select((row, index) => new TableEntity(partition, index.ToString("D6", CultureInfo.InvariantCulture))
        {
            ["Json"] = JsonSerializer.Serialize(row, Json),
        }), report.BuiltAt, cancellationToken);
    }

    /// <summary>The daily report of <paramref name="day"/>; null when it was never built.</summary>
    public async Task<DailyOriginationReport?> DailyAsync(DateOnly day, CancellationToken cancellationToken = default)
    {
        var stored = await ReadAsync(Partition(DailyKind, day), cancellationToken);
        return stored is null ? null : new DailyOriginationReport(
            day, stored.Value.TakenAt, [.. stored.Value.Rows.Select(row => JsonSerializer.Deserialize<OriginationRow>(row.GetString("Json"), Json)!)]);
    }

    /// <summary>The days that have a daily report, newest first.</summary>
    public async Task<IReadOnlyList<DateOnly>> DailyDaysAsync(int limit, CancellationToken cancellationToken = default)
    {
        var from = DailyKind + "|";
        var to = DailyKind + "}";
        var days = new List<DateOnly>();
        await foreach (var row in _table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey gt {from} and PartitionKey lt {to} and RowKey eq {Marker}"), select: ["PartitionKey"], cancellationToken: cancellationToken))
        {
            days.Add(DateOnly.ParseExact(row.PartitionKey[from.Length..], "yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        return [.. days.OrderDescending().Take(limit)];
    }

    private async Task SaveAsync(string partition, IEnumerable<TableEntity> rows, DateTimeOffset takenAt, CancellationToken cancellationToken)
    {
        // Rows first and the marker last: a day half written by a crash reads as not taken, and is taken again whole.
        // A day taken again replaces its rows, so rows of the earlier take that the new one lacks go.
        var fresh = rows.ToList();
        var keep = fresh.Select(row => row.RowKey).ToHashSet(StringComparer.Ordinal);
        var stale = new List<TableEntity>();
        await foreach (var row in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), select: ["RowKey"], cancellationToken: cancellationToken))
        {
            if (!keep.Contains(row.RowKey))
            {
                stale.Add(row);
            }
        }

        var actions = fresh.Select(row => new TableTransactionAction(TableTransactionActionType.UpsertReplace, row))
            .Concat(stale.Select(row => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, row.RowKey), ETag.All)));
        foreach (var chunk in actions.Chunk(100))
        {
            await _table.SubmitTransactionAsync(chunk, cancellationToken);
        }

        await _table.UpsertEntityAsync(new TableEntity(partition, Marker) { ["TakenAt"] = takenAt }, TableUpdateMode.Replace, cancellationToken);
    }

    private async Task<(IReadOnlyList<TableEntity> Rows, DateTimeOffset TakenAt)?> ReadAsync(string partition, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        DateTimeOffset? takenAt = null;
        await foreach (var row in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), cancellationToken: cancellationToken))
        {
            if (row.RowKey == Marker)
            {
                takenAt = row.GetDateTimeOffset("TakenAt");
            }
            else
            {
                rows.Add(row);
            }
        }

        return takenAt is { } taken ? (rows, taken) : null;
    }

    private static TableEntity Row(string partition, OriginationTotals totals) =>
        new(partition, string.Join('|', TableNames.EscapeKey(totals.ProgramId), TableNames.EscapeKey(totals.RunId ?? "~live"), TableNames.EscapeKey(totals.Tier), TableNames.EscapeKey(totals.Channel)))
        {
            ["Json"] = JsonSerializer.Serialize(totals, Json),
        };

    private static string Partition(string kind, DateOnly day) => kind + "|" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
