namespace LoanOffers.Grains;

/// <summary>Names shared by the grains, their storage and the host.</summary>
public static class EngineNames
{
    public const string CustomerGrainType = "customer";
    public const string ProgramGrainType = "program";
    public const string PartitionWorkerGrainType = "partition-worker";
    public const string ApplicationGrainType = "application";
    public const string CampaignGrainType = "campaign";
    public const string ProgramCatalogGrainType = "program-catalog";
    public const string ReportsGrainType = "reports";
    public const string FeatureSchemaGrainType = "feature-schema";
    public const string SimulationGrainType = "simulation";
    public const string CustomerStore = "customers";
    public const string CustomerStateName = "customer";
}
