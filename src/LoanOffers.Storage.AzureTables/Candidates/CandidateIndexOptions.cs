namespace LoanOffers.Storage.AzureTables;

public sealed class CandidateIndexOptions : AzureTableConnectionOptions
{
    /// <summary>Prefix of the index tables (…ByTier00, …ByAmount00, …).</summary>
    public string TablePrefix { get; set; } = "Candidates";

    /// <summary>
    /// How many tables each index is spread over, a customer's rows in the shard its grain id hashes to. The table
    /// service's cost per write grows with the table on Azurite, and a shard count that divides the customer table
    /// count puts all candidates of one customer partition in one shard, so a batch's index writes keep their
    /// transaction sizes.
    /// </summary>
    public int ShardCount { get; set; } = 16;

    /// <summary>The grain type of customers, whose grain id's hash picks a candidate's shard.</summary>
    public string CustomerGrainType { get; set; } = "customer";
}
