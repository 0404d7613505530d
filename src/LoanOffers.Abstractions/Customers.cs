using LoanOffers.Domain;
using Orleans;
using Orleans.Concurrency;

namespace LoanOffers.Abstractions;

/// <summary>Grain calls that answer an API request: a cold activation meeting a storage outage gives up within these.</summary>
public static class ApiCalls
{
    public const string ResponseTimeout = "00:00:05";
}

/// <summary>A customer: profile, risk, behaviour, decision with reasons, offers and contact history.</summary>
[Alias("loanoffers.ICustomerGrain")]
public interface ICustomerGrain : IGrainWithStringKey
{
    /// <summary>Evaluates the customer for a batch run; the same run id again returns the stored decision.</summary>
    Task<CustomerEvaluation> Evaluate(EvaluateCustomer command);

    /// <summary>
    /// Decides the customer under a proposed and the live program version by the same pipeline as <see cref="Evaluate"/>,
    /// and stores nothing: a what-if run's view of one customer.
    /// </summary>
    Task<SimulatedDecisions> Simulate(SimulateCustomer command);

    /// <summary>The ranked, unexpired offers from the customer's state; null for a customer never evaluated.</summary>
    [ReadOnly]
    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<CustomerOffers?> GetOffers();

    /// <summary>
    /// <see cref="GetOffers"/> as the API's UTF-8 JSON (<see cref="ApiJson"/>) for <paramref name="audience"/>, kept
    /// ready in the grain between state changes so the hot read path neither copies nor serializes; a null value for
    /// an unknown customer.
    /// </summary>
    [ReadOnly]
    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<Immutable<byte[]?>> GetOffersJson(OfferAudience audience);

    /// <summary>Offers built now for a requested amount and tenure; null for a customer never evaluated.</summary>
    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<RealTimeOffers?> RequestOffers(OfferRequestCommand command);

    /// <summary>The customer's latest decision in <paramref name="programId"/>; null when that program never evaluated it.</summary>
    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<CustomerDecision?> GetDecision(string programId);

    /// <summary>
    /// Applies one event to the profile (once per event id) and re-checks every live offer against the criteria of the
    /// program version that made it; an offer the customer no longer meets is withdrawn at once.
    /// </summary>
    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<CustomerEventResult> ApplyEvent(CustomerEvent customerEvent);

    /// <summary>
    /// 1-click apply: re-checks the customer (with any verified values) against the criteria of the program version that
    /// made the offer; met, it becomes an application (the same one if asked again), not met, the program's offers are
    /// withdrawn and the principal reasons returned.
    /// </summary>
    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<AcceptanceResult> Accept(AcceptOffer command);

    /// <summary>
    /// Every program's latest decision on the customer, with principal reasons, live offers and withdrawals, and the
    /// applications as made (their outcomes belong to each application's own grain); null for an unknown customer.
    /// </summary>
    [ReadOnly]
    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<CustomerDecisions?> GetDecisions();

    /// <summary>
    /// The contact policy at send time, by the customer's one writer: opt-outs, a live offer of that program and run,
    /// at most one message per channel per window across programs. Allowing records the contact; asking again under
    /// the same key gets the same answer.
    /// </summary>
    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<ContactDecision> PrepareContact(ContactRequest request);

    /// <summary>
    /// Records an open or a click of a message this customer was sent (or an in-app view or click of one of its
    /// offers) in the run's funnel and the customer's behaviour, once however often it comes; false when the customer
    /// was never sent that message or offer.
    /// </summary>
    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<bool> RecordEngagement(Engagement engagement);

    /// <summary>
    /// The in-app banners live at <paramref name="placement"/>: per program whose in-app channel (of the version that
    /// made the offers) shows there, its best live offer for <c>displayDuration</c> days after it was made, unless the
    /// customer opted out of in-app offers or of prescreened offers; null for an unknown customer.
    /// </summary>
    [ReadOnly]
    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<CustomerBanners?> GetBanners(string placement);

    /// <summary>The offers <paramref name="programId"/> withdrew from the customer, and why, oldest first.</summary>
    [ReadOnly]
    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<IReadOnlyList<OfferWithdrawal>> GetWithdrawals(string programId);

    /// <summary>The customer's recent contacts (offers made), oldest first.</summary>
    [ReadOnly]
    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<IReadOnlyList<ContactRecord>> GetContacts();
}

/// <summary>A program's latest decision on a customer, the offers of it that are live, and those it withdrew.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.ProgramDecision")]
public sealed record ProgramDecision(string ProgramId, CustomerDecision Decision, IReadOnlyList<LoanOffer> LiveOffers, IReadOnlyList<OfferWithdrawal> Withdrawals);

/// <summary>The decisions on a customer as staff read them.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.CustomerDecisions")]
public sealed record CustomerDecisions(string CustomerId, IReadOnlyList<ProgramDecision> Programs, IReadOnlyList<LoanApplication> Applications);

/// <summary>One contact with the customer: an offer made, a message sent, an application, by which program and run.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.ContactRecord")]
public sealed record ContactRecord(DateTimeOffset At, string ProgramId, string RunId, string Kind, decimal? Amount)
{
    /// <summary>For a message, its outbox key.</summary>
    [Id(5)] public string? MessageKey { get; init; }
}

/// <summary>Asks a customer whether a campaign message may go out now, under the contact policy.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.ContactRequest")]
public sealed record ContactRequest(string ProgramId, string RunId, string Channel, string MessageKey, DateTimeOffset Now, ContactPolicy Policy);

/// <summary>
/// The bank's contact policy as a campaign applies it: at most one message per channel per
/// <see cref="FrequencyWindow"/> across programs, at most <see cref="MaxMessagesPerOffer"/> messages per offer (the
/// program's channel priority decides which), nothing in <see cref="QuietHours"/>, and a channel's <c>sendTime</c>
/// kept (for <see cref="SendWindow"/>) unless the campaign sends now.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.ContactPolicy")]
public sealed record ContactPolicy(TimeSpan FrequencyWindow, int MaxMessagesPerOffer, QuietHours? QuietHours, TimeSpan SendWindow, bool SendNow);

/// <summary>
/// The contact policy's answer: the offer to send, where, and the channel's settings (the same again for a message
/// already allowed under its key); or why not; or not yet, until <see cref="DeferUntil"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.ContactDecision")]
public sealed record ContactDecision(LoanOffer? Offer, string? Address, string? FirstName, string? SuppressedBecause)
{
    /// <summary>The message may go out from this instant (its send time or the end of quiet hours, in the customer's zone).</summary>
    [Id(4)] public DateTimeOffset? DeferUntil { get; init; }

    /// <summary>The program's channel the message goes out on (an SMS text's template).</summary>
    [Id(5)] public ChannelConfig? Channel { get; init; }
}

/// <summary>A customer opened or clicked a message, or viewed or clicked an in-app offer.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.Engagement")]
public sealed record Engagement(string ProgramId, string RunId, string Channel, string OfferId, string Stage, DateTimeOffset At);

public static class EngagementStages
{
    /// <summary>An email opened (its pixel loaded) or an in-app offer viewed.</summary>
    public const string Opened = "Opened";

    public const string Clicked = "Clicked";
}

public static class SuppressionReasons
{
    public const string UnknownCustomer = "unknown-customer";
    public const string PrescreenOptOut = "prescreen-opt-out";
    public const string ChannelOptOut = "channel-opt-out";
    public const string NoAddress = "no-address";
    public const string OfferNotLive = "offer-withdrawn-or-expired";
    public const string FrequencyCap = "frequency-cap";
    public const string Suppressed = "suppression-list";
    public const string ChannelOff = "channel-not-in-program";
    public const string NotExcellentCredit = "excellent-credit-only";

    /// <summary>The offer has its most messages already, or a channel of higher priority takes the place.</summary>
    public const string MessageLimit = "message-limit";
}

[GenerateSerializer, Immutable, Alias("loanoffers.EvaluateCustomer")]
public sealed record EvaluateCustomer(string RunId, ProgramConfig Program, CustomerProfile Profile, DateTimeOffset Now);

[GenerateSerializer, Immutable, Alias("loanoffers.OfferRequestCommand")]
public sealed record OfferRequestCommand(ProgramConfig Program, decimal? RequestedAmount, int? RequestedTenure, DateTimeOffset Now);

/// <summary>What a batch needs back from one customer: counters, and the candidate-index rows to write or remove.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.CustomerEvaluation")]
public sealed record CustomerEvaluation(
    string CustomerId,
    DecisionOutcome Outcome,
    string? RejectedBy,
    string? Tier,
    int OffersMade,
    CandidateEntry? Candidate,
    CandidateEntry? ReplacedCandidate,
    bool FromStoredDecision)
{
    /// <summary>Live offers this evaluation withdrew because the customer no longer qualifies.</summary>
    [Id(8)] public int OffersWithdrawn { get; init; }

    /// <summary>The firm-offer record of the offers this decision made, for the batch to append with its partition's.</summary>
    [Id(9)] public FirmOfferRecord? Record { get; init; }

    /// <summary>The approval model's score, for a customer who passed the filters.</summary>
    [Id(10)] public double? ApprovalScore { get; init; }

    /// <summary>The decision beside what the program's challengers would have made of it; null when it names none.</summary>
    [Id(11)] public ChallengedDecision? Challenged { get; init; }
}

/// <summary>Offers a program withdrew, when, in which run, and why (the filter's reason code, or NO_OFFER).</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.OfferWithdrawal")]
public sealed record OfferWithdrawal(DateTimeOffset At, string RunId, string ReasonCode, string Reason, IReadOnlyList<string> OfferIds);

/// <summary>One row of the candidate index (seed 000's GSIs): the best offer of an offered customer.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.CandidateEntry")]
public sealed record CandidateEntry(
    string ProgramId,
    string CustomerId,
    string Tier,
    double Score,
    decimal LoanAmount,
    decimal Roi,
    decimal Apr,
    DateTimeOffset OfferedAt,
    DateTimeOffset ExpiresAt);

/// <summary>
/// A customer's live offers across every program, ranked together (each names its program), when the customer was
/// last evaluated, and when there is none, why in words safe to show the customer.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.CustomerOffers")]
public sealed record CustomerOffers(
    string CustomerId,
    DateTimeOffset EvaluatedAt,
    IReadOnlyList<LoanOffer> Offers,
    string? NoOfferReason)
{
    public const string NoLiveOffers =
        "You have no pre-approved loan offers right now. We look again regularly; this has no impact on your credit score.";
}

[GenerateSerializer, Immutable, Alias("loanoffers.RealTimeOffers")]
public sealed record RealTimeOffers(
    string CustomerId,
    string ProgramId,
    IReadOnlyList<LoanOffer> Offers,
    IReadOnlyList<OfferAdjustment> Adjustments,
    string? NoOfferReason,
    IReadOnlyList<string> Reasons,
    string? MatchedOfferId);
