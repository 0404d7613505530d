using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime;

namespace LoanOffers.Storage.AzureTables;

/// <summary>Lets a client process find the gateways of the cluster's live silos in the membership table.</summary>
public sealed class AzureTableGatewayListProvider(
    IOptions<AzureTableClusteringOptions> options,
    IOptions<ClusterOptions> clusterOptions,
    IOptions<GatewayOptions> gatewayOptions) : IGatewayListProvider
{
    private readonly TableClient _table = options.Value.CreateClient().GetTableClient(options.Value.TableName);
    private readonly string _partitionKey = MembershipRows.PartitionKey(clusterOptions.Value.ClusterId);

    public TimeSpan MaxStaleness => gatewayOptions.Value.GatewayListRefreshPeriod;

    public bool IsUpdatable => true;

    public Task InitializeGatewayListProvider() => _table.CreateIfNotExistsAsync();

    public async Task<IList<Uri>> GetGateways()
    {
        var gateways = new List<Uri>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {_partitionKey} and Status eq {(int)SiloStatus.Active}");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter))
        {
            var entry = MembershipRows.ToEntry(row);
            if (MembershipRows.GatewayEndpoint(entry) is { } endpoint)
            {
                gateways.Add(SiloAddress.New(endpoint, entry.SiloAddress.Generation).ToGatewayUri());
            }
        }

        return gateways;
    }
}
