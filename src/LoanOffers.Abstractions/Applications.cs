using LoanOffers.Domain;
using Orleans;

namespace LoanOffers.Abstractions;

/// <summary>Values the lender verified at application; each, when given, replaces the profile's in the re-check.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.VerifiedValues")]
public sealed record VerifiedValues(int? CreditScore, decimal? AnnualIncome, decimal? DebtToIncome)
{
    public CustomerProfile ApplyTo(CustomerProfile profile) => profile with
    {
        CreditScore = CreditScore ?? profile.CreditScore,
        AnnualIncome = AnnualIncome ?? profile.AnnualIncome,
        DebtToIncome = DebtToIncome ?? profile.DebtToIncome,
    };
}

[GenerateSerializer, Immutable, Alias("loanoffers.AcceptOffer")]
public sealed record AcceptOffer(string OfferId, VerifiedValues? Verified, DateTimeOffset At);

[GenerateSerializer, Alias("loanoffers.AcceptanceOutcome")]
public enum AcceptanceOutcome { Applied, CriteriaNotMet, Gone, UnknownOffer }

/// <summary>A customer's application on one accepted offer, with the offer's terms.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.LoanApplication")]
public sealed record LoanApplication(
    string ApplicationId,
    string CustomerId,
    string ProgramId,
    int ProgramVersion,
    LoanOffer Offer,
    DateTimeOffset AppliedAt,
    string Status,
    VerifiedValues? Verified)
{
    /// <summary>The run that made the offer.</summary>
    [Id(8)] public string? RunId { get; init; }

    /// <summary>How the application ended, once the lender says.</summary>
    [Id(9)] public ApplicationOutcome? Outcome { get; init; }

    /// <summary>What retraining learns from once the outcome is known; never shown outside the engine.</summary>
    [Id(10)] public ApplicationFacts? Facts { get; init; }

    /// <summary>The channel whose link the customer followed last before applying, or <c>direct</c>.</summary>
    [Id(11)] public string? AppliedVia { get; init; }
}

public static class ApplicationStatuses
{
    public const string Applied = "applied";
    public const string Funded = "funded";
    public const string Declined = "declined";
}

/// <summary>How an application ended: <c>funded</c> (amount, date) or <c>declined</c> (reasons), as the lender recorded it.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.ApplicationOutcome")]
public sealed record ApplicationOutcome(string Outcome, decimal? FundedAmount, DateOnly? FundedOn, IReadOnlyList<string> DeclineReasons, DateTimeOffset RecordedAt);

/// <summary>
/// What an application's lifecycle needs beyond the application: the approval model that scored the customer and the
/// model features of the applicant as re-checked (with the verified values), in <see cref="ModelFeatures.Names"/>
/// order. With the outcome they make a labelled row for retraining.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.ApplicationFacts")]
public sealed record ApplicationFacts(string? ApprovalModelId, IReadOnlyList<float> Features);

[GenerateSerializer, Alias("loanoffers.OutcomeResult")]
public enum OutcomeResult { Recorded, AlreadyRecorded, Conflict, UnknownApplication }

/// <summary>
/// One application, from 1-click apply to its outcome. It owns the outcome (recorded once; the same outcome again
/// changes nothing, a different one is a conflict) and keeps the applications ledger (the run report's funnel and
/// retraining's labelled history) up to date. It never calls its customer's grain, which calls it on apply.
/// </summary>
[Alias("loanoffers.IApplicationGrain")]
public interface IApplicationGrain : IGrainWithStringKey
{
    /// <summary>Opens the application; opening it again changes nothing.</summary>
    Task Open(LoanApplication application);

    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<LoanApplication?> Get();

    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<(OutcomeResult Result, LoanApplication? Application)> RecordOutcome(ApplicationOutcome outcome);
}

/// <summary>
/// What accepting an offer did: an application (new, or the one made before for this offer); the criteria no longer
/// met, with up to four principal reasons (the offer is then withdrawn); or the offer is expired, withdrawn or unknown.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.AcceptanceResult")]
public sealed record AcceptanceResult(AcceptanceOutcome Outcome, LoanApplication? Application, IReadOnlyList<PrincipalReason> Reasons);
