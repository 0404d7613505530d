using System.Globalization;
using System.Net;
using Azure.Data.Tables;
using Orleans;
using Orleans.Runtime;

namespace LoanOffers.Storage.AzureTables;

/// <summary>How a cluster's membership is laid out: one partition per cluster, a version row and a row per silo.</summary>
internal static class MembershipRows
{
    public const string VersionRowKey = "VersionRow";
    private const string VersionProperty = "Version";

    public static string PartitionKey(string clusterId) => TableNames.EscapeKey(clusterId);

    public static string RowKey(SiloAddress silo) => TableNames.EscapeKey(silo.ToParsableString());

    public static TableEntity VersionRow(string clusterId, int version) =>
        new(PartitionKey(clusterId), VersionRowKey) { [VersionProperty] = version };

    public static TableVersion ReadVersion(TableEntity row) =>
        new(row.GetInt32(VersionProperty) ?? 0, row.ETag.ToString());

    public static TableEntity ToRow(string clusterId, MembershipEntry entry) => new(PartitionKey(clusterId), RowKey(entry.SiloAddress))
    {
        ["SiloAddress"] = entry.SiloAddress.ToParsableString(),
        ["Status"] = (int)entry.Status,
        ["ProxyPort"] = entry.ProxyPort,
        ["HostName"] = entry.HostName ?? string.Empty,
        ["SiloName"] = entry.SiloName ?? string.Empty,
        ["RoleName"] = entry.RoleName ?? string.Empty,
        ["UpdateZone"] = entry.UpdateZone,
        ["FaultZone"] = entry.FaultZone,
        ["StartTime"] = AsUtc(entry.StartTime),
        ["IAmAliveTime"] = AsUtc(entry.IAmAliveTime),
        ["SuspectingSilos"] = FormatSuspects(entry.SuspectTimes),
    };

    public static TableEntity IAmAliveRow(string clusterId, MembershipEntry entry) =>
        new(PartitionKey(clusterId), RowKey(entry.SiloAddress)) { ["IAmAliveTime"] = AsUtc(entry.IAmAliveTime) };

    public static MembershipEntry ToEntry(TableEntity row) => new()
    {
        SiloAddress = SiloAddress.FromParsableString(row.GetString("SiloAddress")),
        Status = (SiloStatus)(row.GetInt32("Status") ?? 0),
        ProxyPort = row.GetInt32("ProxyPort") ?? 0,
        HostName = row.GetString("HostName"),
        SiloName = row.GetString("SiloName"),
        RoleName = row.GetString("RoleName"),
        UpdateZone = row.GetInt32("UpdateZone") ?? 0,
        FaultZone = row.GetInt32("FaultZone") ?? 0,
        StartTime = row.GetDateTimeOffset("StartTime")?.UtcDateTime ?? default,
        IAmAliveTime = row.GetDateTimeOffset("IAmAliveTime")?.UtcDateTime ?? default,
        SuspectTimes = ParseSuspects(row.GetString("SuspectingSilos")),
    };

    public static bool IsVersionRow(TableEntity row) => row.RowKey == VersionRowKey;

    public static IPEndPoint? GatewayEndpoint(MembershipEntry entry) =>
        entry.Status == SiloStatus.Active && entry.ProxyPort > 0
            ? new IPEndPoint(entry.SiloAddress.Endpoint.Address, entry.ProxyPort)
            : null;

    private static DateTimeOffset AsUtc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    private static string FormatSuspects(List<Tuple<SiloAddress, DateTime>>? suspects) =>
        suspects is null
            ? string.Empty
            : string.Join('|', suspects.Select(s => s.Item1.ToParsableString() + "," + s.Item2.Ticks.ToString(CultureInfo.InvariantCulture)));

    private static List<Tuple<SiloAddress, DateTime>> ParseSuspects(string? text) =>
        string.IsNullOrEmpty(text)
            ? []
            : text.Split('|').Select(item =>
            {
                var comma = item.LastIndexOf(',');
                var silo = SiloAddress.FromParsableString(item[..comma]);
                var ticks = long.Parse(item[(comma + 1)..], CultureInfo.InvariantCulture);
                return Tuple.Create(silo, new DateTime(ticks, DateTimeKind.Utc));
            }).ToList();
}
