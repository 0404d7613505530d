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
