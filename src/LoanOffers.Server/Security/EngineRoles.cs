namespace LoanOffers.Server.Security;

/// <summary>The roles a token may carry in its <c>role</c> claim.</summary>
public static class EngineRoles
{
    /// <summary>A client app acting for one signed-in customer; the token's subject is the customer id.</summary>
    public const string Customer = "customer";

    /// <summary>The bank's trusted back end: offers of any customer.</summary>
    public const string OffersService = "offers-service";

    /// <summary>Programs, runs and candidates, read and change.</summary>
    public const string LendingAdmin = "lending-admin";

    /// <summary>Reads programs, runs, candidates, models and the audit trail; changes nothing.</summary>
    public const string RiskAnalyst = "risk-analyst";

    /// <summary>Reads models, retrains, promotes, rolls back.</summary>
    public const string ModelOps = "model-ops";

    /// <summary>Operators: the metrics endpoint and the Orleans Dashboard; no business data.</summary>
    public const string Operations = "operations";

    public static readonly IReadOnlyList<string> All = [Customer, OffersService, LendingAdmin, RiskAnalyst, ModelOps, Operations];
}
