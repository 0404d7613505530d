using Azure.Data.Tables;

namespace LoanOffers.Storage.AzureTables;

/// <summary>Where the tables live: a connection string or a ready-made client.</summary>
public abstract class AzureTableConnectionOptions
{
    /// <summary>The connection string of the storage account; ignored when <see cref="TableServiceClient"/> is set.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>A configured client (for example with a managed identity); wins over <see cref="ConnectionString"/>.</summary>
    public TableServiceClient? TableServiceClient { get; set; }

    internal TableServiceClient CreateClient() =>
        TableServiceClient ?? new TableServiceClient(ConnectionString, AzureTableClientOptions.Create());

    internal void ValidateConnection(string component, List<string> errors)
    {
        if (TableServiceClient is null && string.IsNullOrWhiteSpace(ConnectionString))
        {
            errors.Add($"{component}: set either {nameof(ConnectionString)} or {nameof(TableServiceClient)}.");
        }
    }
}

internal static class AzureTableClientOptions
{
    /// <summary>Transient faults (timeouts, 5xx, throttling) are retried by the SDK with exponential back-off; what still fails is surfaced.</summary>
    public static TableClientOptions Create()
    {
        var options = new TableClientOptions();
        options.Retry.Mode = Azure.Core.RetryMode.Exponential;
        options.Retry.MaxRetries = 5;
        options.Retry.Delay = TimeSpan.FromMilliseconds(100);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        return options;
    }
}

/// <summary>Options of a provider that keeps everything in one table.</summary>
public abstract class AzureSingleTableOptions(string defaultTableName) : AzureTableConnectionOptions
{
    public string TableName { get; set; } = defaultTableName;
}

/// <summary>Fails silo start-up naming every problem of a single-table provider's options.</summary>
public sealed class AzureSingleTableOptionsValidator(AzureSingleTableOptions options, string component) : Orleans.IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        var errors = new List<string>();
        options.ValidateConnection(component, errors);
        if (!TableNames.IsValidTableName(options.TableName))
        {
            errors.Add($"{component}: '{options.TableName}' is not a valid table name (3-63 letters or digits, starting with a letter).");
        }

        if (errors.Count > 0)
        {
            throw new Orleans.Runtime.OrleansConfigurationException(string.Join(Environment.NewLine, errors));
        }
    }
}
