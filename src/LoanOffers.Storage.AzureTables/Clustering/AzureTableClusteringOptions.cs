namespace LoanOffers.Storage.AzureTables;

/// <summary>Where the membership table lives; used by silos (membership) and clients (gateway list).</summary>
public sealed class AzureTableClusteringOptions() : AzureSingleTableOptions("OrleansSiloInstances");
