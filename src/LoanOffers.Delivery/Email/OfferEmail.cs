namespace LoanOffers.Delivery.Email;

/// <summary>
/// What one pre-approved offer email says, formatted for display: the customer's first name, the offer's terms (the
/// disclosures TILA requires once a rate is advertised: APR, fee, term, payment) and the links it carries.
/// </summary>
public sealed record OfferEmail(
    string To,
    string? FirstName,
    decimal Amount,
    decimal Apr,
    decimal Rate,
    int TermMonths,
    decimal MonthlyPayment,
    decimal ProcessingFee,
    decimal TotalRepayable,
    DateTimeOffset ExpiresAt,
    string OfferLink,
    string UnsubscribeLink,
    string PrescreenOptOutLink,
    string? OpenPixelLink = null);
