namespace LoanOffers.Server.Security;

/// <summary>A token bucket: a steady rate and the burst it allows above it.</summary>
public sealed class TokenBudget
{
    public int PermitsPerSecond { get; set; }

    public int Burst { get; set; }
}

/// <summary>One kind of request's budgets: per token subject and per client address.</summary>
public sealed class RequestBudget
{
    public TokenBudget PerSubject { get; set; } = new();

    public TokenBudget PerAddress { get; set; } = new();
}

/// <summary>
/// Rate limits (section <c>RateLimits</c>), with separate budgets for the hot offer reads and for admin writes. The
/// offers service is the bank's own back end, fanning in every customer's requests under one subject, so only its
/// address budget applies to it.
/// </summary>
public sealed class RateLimitsOptions
{
    public const string Section = "RateLimits";

    public RequestBudget OfferReads { get; set; } = new()
    {
        PerSubject = new() { PermitsPerSecond = 20, Burst = 40 },
        PerAddress = new() { PermitsPerSecond = 50_000, Burst = 50_000 },
    };

    public RequestBudget AdminWrites { get; set; } = new()
    {
        PerSubject = new() { PermitsPerSecond = 5, Burst = 20 },
        PerAddress = new() { PermitsPerSecond = 20, Burst = 50 },
    };
}
