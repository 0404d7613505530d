using Orleans;

namespace LoanOffers.Abstractions;

/// <summary>The kinds of event a customer's profile takes between runs.</summary>
public static class CustomerEventKinds
{
    public const string PrescreenOptOut = "prescreen-opt-out";
    public const string ChannelOptOut = "channel-opt-out";
    public const string OptIn = "opt-in";
    public const string LatePayment = "late-payment";
    public const string IncomeChanged = "income-changed";
    public const string CreditScoreChanged = "credit-score-changed";
    public const string AddressChanged = "address-changed";
    public const string AccountClosed = "account-closed";

    /// <summary>The app showed the customer one of its offers (an in-app banner or offer page).</summary>
    public const string OfferViewed = "offer-viewed";

    /// <summary>The customer opened one of its offers in the app.</summary>
    public const string OfferClicked = "offer-clicked";

    /// <summary>The customer said no to one of its offers.</summary>
    public const string OfferDeclined = "offer-declined";

    public static readonly IReadOnlyList<string> All =
        [PrescreenOptOut, ChannelOptOut, OptIn, LatePayment, IncomeChanged, CreditScoreChanged, AddressChanged, AccountClosed, OfferViewed, OfferClicked, OfferDeclined];

    /// <summary>The kinds about an offer: they name it, and change behaviour and the funnel rather than the profile.</summary>
    public static readonly IReadOnlyList<string> OfferResponses = [OfferViewed, OfferClicked, OfferDeclined];

    /// <summary>The kinds a customer's app may send for itself: its own consent, and its responses to its offers.</summary>
    public static readonly IReadOnlyList<string> FromCustomerApp = [PrescreenOptOut, ChannelOptOut, OptIn, OfferViewed, OfferClicked, OfferDeclined];

    public static readonly IReadOnlyList<string> Channels = ["email", "sms", "in-app"];
}

/// <summary>One change to a customer, with the id that makes it apply once however often it is sent.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.CustomerEvent")]
public sealed record CustomerEvent(
    string EventId,
    string Kind,
    DateTimeOffset At,
    string? Channel = null,
    decimal? AnnualIncome = null,
    int? Score = null,
    string? State = null,
    string? OfferId = null)
{
    /// <summary>The profile as this event leaves it.</summary>
    public LoanOffers.Domain.CustomerProfile ApplyTo(LoanOffers.Domain.CustomerProfile profile) => Kind switch
    {
        CustomerEventKinds.PrescreenOptOut => profile with { PrescreenOptOut = true },
        CustomerEventKinds.ChannelOptOut => Channel switch
        {
            "email" => profile with { EmailOptOut = true },
            "sms" => profile with { SmsOptOut = true },
            _ => profile with { InAppOptOut = true },
        },
        CustomerEventKinds.OptIn => Channel switch
        {
            "email" => profile with { EmailOptOut = false },
            "sms" => profile with { SmsOptOut = false },
            "in-app" => profile with { InAppOptOut = false },
            _ => profile with { PrescreenOptOut = false },
        },
        CustomerEventKinds.LatePayment => profile with { LatePaymentsLast12Months = Math.Min(12, profile.LatePaymentsLast12Months + 1) },
        CustomerEventKinds.IncomeChanged => profile with { AnnualIncome = AnnualIncome ?? profile.AnnualIncome },
        CustomerEventKinds.CreditScoreChanged => profile with { CreditScore = Score ?? profile.CreditScore },
        CustomerEventKinds.AddressChanged => profile with { State = State ?? profile.State, TimeZone = LoanOffers.Domain.UsStates.TimeZoneOf(State ?? profile.State) },
        CustomerEventKinds.AccountClosed => profile with { AccountStatus = LoanOffers.Domain.AccountStatus.Closed },
        CustomerEventKinds.OfferViewed or CustomerEventKinds.OfferClicked or CustomerEventKinds.OfferDeclined => profile,
        _ => throw new ArgumentException($"Unknown event kind '{Kind}'.", nameof(Kind)),
    };
}

/// <summary>Offers an event withdrew from one program, and why.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.EventWithdrawal")]
public sealed record EventWithdrawal(string ProgramId, string ReasonCode, IReadOnlyList<string> OfferIds);

/// <summary>
/// What an event did: whether it was applied now (false: this event id was applied before, or the customer is
/// unknown) and the offers it withdrew.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.CustomerEventResult")]
public sealed record CustomerEventResult(string EventId, bool Known, bool Applied, IReadOnlyList<EventWithdrawal> Withdrawn);
