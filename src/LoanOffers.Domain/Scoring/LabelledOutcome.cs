namespace LoanOffers.Domain;

/// <summary>
/// One decided application as a labelled training row: the applicant's <see cref="ModelFeatures.Names"/> values, in
/// order, and whether the loan was funded. The customer id keeps a customer on one side of the held-out split.
/// </summary>
public sealed record LabelledOutcome(string CustomerId, IReadOnlyList<float> Features, bool Funded);
