using System.Diagnostics;

namespace LoanOffers.Grains;

/// <summary>
/// The system clock with monotonic timestamps counted from this provider's creation instead of the machine's boot.
/// Orleans' watchdog starts its health-check thread before it first stamps the component timestamp, so its first
/// check can measure from timestamp zero and warn that the participant check "has not completed" for the machine's
/// uptime. Counted from silo start-up, that first reading is a few seconds, as it should be. Differences between
/// timestamps, which is all membership timing uses, are the same as the system clock's.
/// </summary>
public sealed class ProcessRelativeTimeProvider : TimeProvider
{
    /// <summary>The key under which Orleans resolves the clock of membership, probes and the watchdog.</summary>
    public const string OrleansMembershipKey = "Orleans.Membership";

    private readonly long _origin = Stopwatch.GetTimestamp();

    public override long GetTimestamp() => Stopwatch.GetTimestamp() - _origin;
}
