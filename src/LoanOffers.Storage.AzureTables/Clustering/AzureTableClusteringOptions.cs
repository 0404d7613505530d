using Orleans;
using Orleans.Runtime;

namespace LoanOffers.Storage.AzureTables;

/// <summary>Where the membership table lives; used by silos (membership) and clients (gateway list).</summary>
public sealed class AzureTableClusteringOptions : AzureTableConnectionOptions
{
    public string TableName { get; set; } = "OrleansSiloInstances";
}

public sealed class AzureTableClusteringOptionsValidator(AzureTableClusteringOptions options) : IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        var errors = new List<string>();
        options.ValidateConnection("Azure table clustering", errors);
        if (!TableNames.IsValidTableName(options.TableName))
        {
            errors.Add($"Azure table clustering: '{options.TableName}' is not a valid table name.");
        }

        if (errors.Count > 0)
        {
            throw new OrleansConfigurationException(string.Join(Environment.NewLine, errors));
        }
    }
}
