using Microsoft.AspNetCore.Authorization;

namespace LoanOffers.Server.Security;

/// <summary>Authorization policies, one per kind of access an endpoint group needs.</summary>
public static class EnginePolicies
{
    public const string Offers = "offers";
    public const string ProgramsRead = "programs-read";
    public const string ProgramsWrite = "programs-write";
    public const string ModelsRead = "models-read";
    public const string ModelsWrite = "models-write";
    public const string AuditRead = "audit-read";
    public const string CustomerRecordsRead = "customer-records-read";
    public const string ApplicationsRead = "applications-read";
    public const string OutcomesWrite = "outcomes-write";
    public const string SuppressionsRead = "suppressions-read";
    public const string SuppressionsWrite = "suppressions-write";
    public const string ConsoleAccess = "console";
    public const string Monitoring = "monitoring";
    public const string Dashboard = "dashboard";
    public const string ReportsRead = "reports-read";
    public const string ReportsWrite = "reports-write";

    public static AuthorizationBuilder AddEnginePolicies(this AuthorizationBuilder authorization) => authorization
        .AddPolicy(Offers, policy => policy.RequireRole(EngineRoles.Customer, EngineRoles.OffersService))
        .AddPolicy(ProgramsRead, policy => policy.RequireRole(EngineRoles.LendingAdmin, EngineRoles.RiskAnalyst))
        .AddPolicy(ProgramsWrite, policy => policy.RequireRole(EngineRoles.LendingAdmin))
        .AddPolicy(ModelsRead, policy => policy.RequireRole(EngineRoles.ModelOps, EngineRoles.RiskAnalyst))
        .AddPolicy(ModelsWrite, policy => policy.RequireRole(EngineRoles.ModelOps))
        .AddPolicy(AuditRead, policy => policy.RequireRole(EngineRoles.RiskAnalyst, EngineRoles.LendingAdmin))
        .AddPolicy(CustomerRecordsRead, policy => policy.RequireRole(EngineRoles.RiskAnalyst, EngineRoles.LendingAdmin))
        .AddPolicy(ApplicationsRead, policy => policy.RequireRole(EngineRoles.Customer, EngineRoles.OffersService, EngineRoles.LendingAdmin, EngineRoles.RiskAnalyst))
        .AddPolicy(OutcomesWrite, policy => policy.RequireRole(EngineRoles.LendingAdmin))
        .AddPolicy(SuppressionsRead, policy => policy.RequireRole(EngineRoles.LendingAdmin, EngineRoles.RiskAnalyst))
        .AddPolicy(SuppressionsWrite, policy => policy.RequireRole(EngineRoles.LendingAdmin))
        .AddPolicy(ConsoleAccess, policy => policy.RequireRole(EngineRoles.LendingAdmin, EngineRoles.RiskAnalyst, EngineRoles.ModelOps, EngineRoles.Operations))
        .AddPolicy(ReportsRead, policy => policy.RequireRole(EngineRoles.LendingAdmin, EngineRoles.RiskAnalyst))
        .AddPolicy(ReportsWrite, policy => policy.RequireRole(EngineRoles.LendingAdmin))
        .AddPolicy(Dashboard, policy => policy.AddAuthenticationSchemes(Apis.DashboardApi.CookieScheme)
            .RequireRole(EngineRoles.Operations, EngineRoles.LendingAdmin, EngineRoles.RiskAnalyst, EngineRoles.ModelOps))
        .AddPolicy(Monitoring, policy => policy.RequireRole(EngineRoles.Operations, EngineRoles.LendingAdmin, EngineRoles.RiskAnalyst, EngineRoles.ModelOps))
        // Anything mapped without a policy of its own still needs a signed-in caller.
        .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
}
