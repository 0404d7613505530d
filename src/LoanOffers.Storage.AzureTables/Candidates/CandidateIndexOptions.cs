namespace LoanOffers.Storage.AzureTables;

public sealed class CandidateIndexOptions : AzureTableConnectionOptions
{
    /// <summary>Prefix of the index tables (…TierPages, …AmountPages).</summary>
    public string TablePrefix { get; set; } = "Candidates";

    /// <summary>
    /// How many page rows each index partition (a program's tier, or a program by amount) is spread over, a customer's
    /// entry in the page its grain hash picks. Set to the customer store's table count times its partitions per table,
    /// a page holds exactly the customers of one storage partition, so a batch's partition changes one page per index
    /// partition. A page holds about 1 MB of compressed entries (some tens of thousands), so a book beyond some
    /// millions of offered customers per program needs more pages.
    /// </summary>
    public int PageCount { get; set; } = 256;

    /// <summary>The grain type of customers, whose grain id's hash picks a candidate's page.</summary>
    public string CustomerGrainType { get; set; } = "customer";
}
