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
    VerifiedValues? Verified);

/// <summary>One principal reason of an adverse decision: the filter's reason code and its statement.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.PrincipalReason")]
public sealed record PrincipalReason(string Code, string Statement);

/// <summary>
/// What accepting an offer did: an application (new, or the one made before for this offer); the criteria no longer
/// met, with up to four principal reasons (the offer is then withdrawn); or the offer is expired, withdrawn or unknown.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.AcceptanceResult")]
public sealed record AcceptanceResult(AcceptanceOutcome Outcome, LoanApplication? Application, IReadOnlyList<PrincipalReason> Reasons);
