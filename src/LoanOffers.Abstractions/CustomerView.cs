using LoanOffers.Domain;
using Orleans;

namespace LoanOffers.Abstractions;

/// <summary>Who offers are shown to: the bank's own systems see everything, a customer's app only the terms.</summary>
[GenerateSerializer, Alias("loanoffers.OfferAudience")]
public enum OfferAudience { Bank, Customer }

/// <summary>
/// An offer's terms, as its customer sees them and as a firm-offer record keeps them: nothing the bank uses to choose
/// them (no scores, conversion probability, expected value, risk impact or tier).
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.CustomerOfferTerms")]
public sealed record CustomerOfferTerms(
    string OfferId,
    string ProgramId,
    decimal Amount,
    int Tenure,
    decimal Roi,
    decimal Apr,
    decimal ProcessingFee,
    decimal MonthlyPayment,
    decimal TotalRepayable,
    int Rank,
    DateTimeOffset ExpiresAt)
{
    public static CustomerOfferTerms From(LoanOffer offer) => new(
        offer.OfferId, offer.ProgramId, offer.Amount, offer.Tenure, offer.Roi, offer.Apr, offer.ProcessingFee, offer.MonthlyPayment, offer.TotalRepayable, offer.Rank, offer.ExpiresAt);
}

/// <summary>A customer's live offers as the customer's app sees them.</summary>
public sealed record CustomerOffersView(string CustomerId, DateTimeOffset EvaluatedAt, IReadOnlyList<CustomerOfferTerms> Offers, string? NoOfferReason)
{
    public static CustomerOffersView From(CustomerOffers offers) =>
        new(offers.CustomerId, offers.EvaluatedAt, [.. offers.Offers.Select(CustomerOfferTerms.From)], offers.NoOfferReason);
}
