using System.Security.Claims;

namespace LoanOffers.Server.Security;

/// <summary>The claims the engine reads from a token, and what they say about the caller.</summary>
public static class EngineClaims
{
    public const string Subject = "sub";
    public const string Role = "role";

    public static string SubjectOf(ClaimsPrincipal user) => user.FindFirstValue(Subject) ?? "unknown";

    public static string RolesOf(ClaimsPrincipal user) => string.Join(",", user.FindAll(Role).Select(claim => claim.Value));

    /// <summary>
    /// Whether the caller may act for <paramref name="customerId"/>: the bank's offers service for anyone, a customer's
    /// app only for the customer its token names.
    /// </summary>
    public static bool MayActFor(ClaimsPrincipal user, string customerId) =>
        user.IsInRole(EngineRoles.OffersService)
        || (user.IsInRole(EngineRoles.Customer) && string.Equals(user.FindFirstValue(Subject), customerId, StringComparison.Ordinal));

    /// <summary>Whether the caller sees the customer-facing view: no internal scores, reasons or expected values.</summary>
    public static bool SeesCustomerView(ClaimsPrincipal user) => !user.IsInRole(EngineRoles.OffersService);
}
