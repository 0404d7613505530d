namespace LoanOffers.Storage.AzureTables;

/// <summary>
/// The rows of the weekly warehouse export, one class per dataset (Parquet columns in property order). They carry
/// ids, tiers, scores, terms and stages: no name, contact detail, address, date of birth or other personal data.
/// </summary>
public static class WarehouseDatasets
{
    public const string Candidates = "candidates";
    public const string Decisions = "decisions";
    public const string FunnelEvents = "funnel_events";

    public static readonly IReadOnlyList<string> All = [Candidates, Decisions, FunnelEvents];
}

/// <summary>A live candidate of the index at export time.</summary>
public sealed class CandidateRow
{
    public string ProgramId { get; set; } = string.Empty;
    public string CustomerId { get; set; } = string.Empty;
    public string Tier { get; set; } = string.Empty;
    public double Score { get; set; }
    public decimal LoanAmount { get; set; }
    public decimal Roi { get; set; }
    public decimal Apr { get; set; }
    public DateTime OfferedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
}

/// <summary>An offered decision of a run in the week (its firm-offer record, less the profile it was made on).</summary>
public sealed class DecisionRow
{
    public string ProgramId { get; set; } = string.Empty;
    public string RunId { get; set; } = string.Empty;
    public int ProgramVersion { get; set; }
    public string CustomerId { get; set; } = string.Empty;
    public string? Tier { get; set; }
    public DateTime MadeAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public string? ApprovalModel { get; set; }
    public double? ApprovalScore { get; set; }
    public string? DefaultRiskModel { get; set; }
    public double? DefaultRiskScore { get; set; }
    public int Offers { get; set; }
    public decimal? BestAmount { get; set; }
    public decimal? BestApr { get; set; }
}

/// <summary>A stage a customer reached in the funnel of a run in the week.</summary>
public sealed class FunnelEventRow
{
    public string ProgramId { get; set; } = string.Empty;
    public string RunId { get; set; } = string.Empty;
    public string CustomerId { get; set; } = string.Empty;
    public string Tier { get; set; } = string.Empty;
    public string Channel { get; set; } = string.Empty;
    public string Stage { get; set; } = string.Empty;
    public decimal? FundedAmount { get; set; }
}
