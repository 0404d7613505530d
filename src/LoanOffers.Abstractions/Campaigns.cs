using Orleans;

namespace LoanOffers.Abstractions;

/// <summary>
/// A campaign message's idempotency key: the same program, run, customer and channel is always the same message, so
/// the outbox row, the SMTP <c>Message-ID</c>, the SMS provider's idempotency key and the customer's contact record agree.
/// </summary>
public static class MessageKeys
{
    public static string Of(string programId, string runId, string customerId, string channel) => string.Join('.', programId, runId, customerId, channel);
}

public static class CampaignStatuses
{
    public const string NotStarted = "not-started";
    public const string Running = "running";
    public const string Paused = "paused";
    public const string Completed = "completed";
}

/// <summary>A campaign's progress: its status and how many of its messages stand in each outbox status.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.CampaignProgress")]
public sealed record CampaignProgress(
    string ProgramId,
    string RunId,
    string Status,
    int Queued,
    IReadOnlyDictionary<string, int> Messages,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt)
{
    /// <summary>The latest reason a message failed to send on this silo (it is retried, then parked with it).</summary>
    [Id(7)] public string? LastFailure { get; init; }

    /// <summary>Sending at once rather than at each channel's send time in the customer's zone.</summary>
    [Id(8)] public bool SendNow { get; init; }
}

/// <summary>
/// The campaign of one completed run (key <c>programId/runId</c>): queues a message per offered customer and channel in
/// the outbox, then drains it in the background with bounded concurrency, retrying with backoff and parking what keeps
/// failing. A reminder resumes it after its silo is lost.
/// </summary>
[Alias("loanoffers.ICampaignGrain")]
public interface ICampaignGrain : IGrainWithStringKey
{
    /// <summary>
    /// Queues the run's messages and sends each at its channel's send time in the customer's zone, or at once with
    /// <paramref name="sendNow"/>; starting again changes nothing, except that it may bring a campaign forward to now.
    /// </summary>
    Task<CampaignProgress> Start(bool sendNow);

    Task<CampaignProgress> Pause();

    Task<CampaignProgress> Resume();

    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<CampaignProgress> GetProgress();
}

/// <summary>An in-app banner: the best live offer of a program whose in-app channel shows at this placement, until <see cref="ShowUntil"/>.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.Banner")]
public sealed record Banner(string ProgramId, string Placement, string BannerType, CustomerOfferTerms Offer, DateTimeOffset ShowUntil);

/// <summary>A customer's live banners at one placement.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.CustomerBanners")]
public sealed record CustomerBanners(string CustomerId, string Placement, IReadOnlyList<Banner> Banners);
