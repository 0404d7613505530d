using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;

namespace LoanOffers.Storage.AzureTables;

/// <summary>
/// Orleans cluster membership on Azure Table Storage. Every change to a silo row bumps the version row in the same
/// entity group transaction, guarded by both rows' ETags, so a writer that read an old table version loses cleanly.
/// </summary>
public sealed partial class AzureTableMembershipTable(
    IOptions<AzureTableClusteringOptions> options,
    IOptions<ClusterOptions> clusterOptions,
    ILogger<AzureTableMembershipTable> logger) : IMembershipTable
{
    private readonly string _clusterId = clusterOptions.Value.ClusterId;
    private readonly TableClient _table = options.Value.CreateClient().GetTableClient(options.Value.TableName);

    public async Task InitializeMembershipTable(bool tryInitTableVersion)
    {
        await _table.CreateIfNotExistsAsync();
        if (!tryInitTableVersion)
        {
            return;
        }

        try
        {
            await _table.AddEntityAsync(MembershipRows.VersionRow(_clusterId, 0));
            LogCreatedVersionRow(_clusterId);
        }
        catch (RequestFailedException failure) when (failure.Status == 409)
        {
            // Another silo created it first.
        }
    }

    public async Task DeleteMembershipTableEntries(string clusterId)
    {
        var partitionKey = MembershipRows.PartitionKey(clusterId);
        var rows = new List<TableEntity>();
        await foreach (var row in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}"), select: ["PartitionKey", "RowKey"]))
        {
            rows.Add(row);
        }

        foreach (var chunk in rows.Chunk(100))
        {
            await _table.SubmitTransactionAsync(chunk.Select(row => new TableTransactionAction(TableTransactionActionType.Delete, row, ETag.All)));
        }
    }

    public async Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate)
    {
        var data = await ReadAll();
        foreach (var (entry, etag) in data.Members)
        {
            if (entry.Status == SiloStatus.Dead && new DateTimeOffset(DateTime.SpecifyKind(entry.IAmAliveTime, DateTimeKind.Utc)) < beforeDate)
            {
                await _table.DeleteEntityAsync(MembershipRows.PartitionKey(_clusterId), MembershipRows.RowKey(entry.SiloAddress), new ETag(etag));
                LogRemovedDefunct(entry.SiloAddress);
            }
        }
    }

    public async Task<MembershipTableData> ReadRow(SiloAddress key)
    {
        var partitionKey = MembershipRows.PartitionKey(_clusterId);
        var rowKey = MembershipRows.RowKey(key);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and (RowKey eq {MembershipRows.VersionRowKey} or RowKey eq {rowKey})");
        return await QueryAsync(filter);
    }

    public Task<MembershipTableData> ReadAll() =>
        QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {MembershipRows.PartitionKey(_clusterId)}"));

    public Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion) =>
        SubmitWithVersionAsync(new TableTransactionAction(TableTransactionActionType.Add, MembershipRows.ToRow(_clusterId, entry)), tableVersion, entry.SiloAddress);

    public Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion) =>
        SubmitWithVersionAsync(new TableTransactionAction(TableTransactionActionType.UpdateReplace, MembershipRows.ToRow(_clusterId, entry), new ETag(etag)), tableVersion, entry.SiloAddress);

    public async Task UpdateIAmAlive(MembershipEntry entry) =>
        await _table.UpdateEntityAsync(MembershipRows.IAmAliveRow(_clusterId, entry), ETag.All, TableUpdateMode.Merge);

    private async Task<bool> SubmitWithVersionAsync(TableTransactionAction siloChange, TableVersion tableVersion, SiloAddress silo)
    {
        var versionChange = new TableTransactionAction(
            TableTransactionActionType.UpdateReplace,
            MembershipRows.VersionRow(_clusterId, tableVersion.Version),
            new ETag(tableVersion.VersionEtag));
        try
        {
            await _table.SubmitTransactionAsync([versionChange, siloChange]);
            return true;
        }
        catch (RequestFailedException failure) when (failure.Status is 404 or 409 or 412)
        {
            LogLostVersionRace(silo, tableVersion.Version, failure.Status);
            return false;
        }
    }

    private async Task<MembershipTableData> QueryAsync(string filter)
    {
        TableVersion? version = null;
        var members = new List<Tuple<MembershipEntry, string>>();
        await foreach (var row in _table.QueryAsync<TableEntity>(filter))
        {
            if (MembershipRows.IsVersionRow(row))
            {
                version = MembershipRows.ReadVersion(row);
            }
            else
            {
                members.Add(Tuple.Create(MembershipRows.ToEntry(row), row.ETag.ToString()));
            }
        }

        return new MembershipTableData(members, version ?? new TableVersion(0, "*"));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the membership version row of cluster {ClusterId}")]
    private partial void LogCreatedVersionRow(string clusterId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed defunct silo {Silo} from the membership table")]
    private partial void LogRemovedDefunct(SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Membership change of {Silo} at table version {Version} lost a race (HTTP {Status})")]
    private partial void LogLostVersionRace(SiloAddress silo, int version, int status);
}
