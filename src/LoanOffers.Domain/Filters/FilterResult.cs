using Orleans;

namespace LoanOffers.Domain;

/// <summary>
/// Outcome of the filter chain. When rejected, <see cref="FilterId"/> names the filter, <see cref="ReasonCode"/>
/// is stable for reporting (e.g. <c>CREDIT_SCORE_BELOW_MIN</c>) and <see cref="Reason"/> is readable with the values.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.FilterResult")]
public sealed record FilterResult(bool Passed, string? FilterId, string? ReasonCode, string? Reason)
{
    public static readonly FilterResult Pass = new(true, null, null, null);

    public static FilterResult Reject(string filterId, string reasonCode, string reason) => new(false, filterId, reasonCode, reason);
}
