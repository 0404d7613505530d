namespace LoanOffers.Domain;

/// <summary>Reads a program's <c>loanOfferStrategy</c>: which segment (credit tier) a customer falls in.</summary>
public static class OfferStrategy
{
    /// <summary>
    /// The segment whose credit score range covers <paramref name="creditScore"/>, or null. When offers are not
    /// segmented, everyone gets the most conservative segment's terms.
    /// </summary>
    public static OfferSegment? SegmentFor(LoanOfferStrategy strategy, int creditScore)
    {
        if (!strategy.SegmentedOffers)
        {
            return MostConservative(strategy);
        }

        return strategy.Segments.FirstOrDefault(s => s.Covers(creditScore));
    }

    /// <summary>Segments best first (highest credit score range first).</summary>
    public static IReadOnlyList<OfferSegment> ByQuality(LoanOfferStrategy strategy) =>
        [.. strategy.Segments.OrderByDescending(s => s.MinCreditScore)];

    /// <summary>The segment for the lowest credit scores, or null when there are no segments.</summary>
    public static OfferSegment? MostConservative(LoanOfferStrategy strategy) =>
        strategy.Segments.MinBy(s => s.MinCreditScore);
}
