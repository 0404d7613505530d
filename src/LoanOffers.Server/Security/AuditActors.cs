using LoanOffers.Storage.AzureTables;

namespace LoanOffers.Server.Security;

public static class AuditActors
{
    /// <summary>The signed-in caller of this request, as the audit trail records it.</summary>
    public static AuditActor Of(HttpContext context) =>
        new(EngineClaims.SubjectOf(context.User), EngineClaims.RolesOf(context.User), context.Connection.RemoteIpAddress?.ToString());
}
