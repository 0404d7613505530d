using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace LoanOffers.Domain;

/// <summary>
/// Builds a customer's ranked offers within a segment: amount and tenure variants, priced by risk and price
/// sensitivity, never above the segment's maximum or what the customer can afford, ranked by expected value.
/// </summary>
public static class OfferEngine
{
    public const int MinTenureMonths = 12;

    private static readonly decimal[] CapShares = [1m, 0.75m, 0.5m];
    private static readonly decimal[] RequestShares = [0.8m, 1m, 1.2m];

    /// <summary>
    /// Without a request: 100%, 75% and 50% of the cap at the segment term and the two yearly steps below it.
    /// With a requested amount: 80%, 100% and 120% of it; with a requested tenure: it and a year either side.
    /// Requests are clamped to [minimum loan, affordable and segment maximum] and [12 months, segment term], and each
    /// clamp is reported in <see cref="OfferSet.Adjustments"/>. When no variant fits, the fallback is the minimum loan
    /// at the longest tenure; failing that, no offer with the reason.
    /// </summary>
    public static OfferSet BuildOffers(OfferRequest request)
    {
        var segment = request.Segment;
        var limits = request.Limits;
        var adjustments = new List<OfferAdjustment>();
        var roi = OfferOptimizer.TargetRoi(request.Risk, request.Behavior.PriceSensitivity);
        var maxTenure = segment.TermMonths;

        var tenure = request.RequestedTenure ?? maxTenure;
        if (tenure > maxTenure)
        {
            adjustments.Add(new("REQUESTED_TENURE_ABOVE_MAX", $"Requested tenure of {tenure} months exceeds the {segment.CreditTier} tier's maximum of {maxTenure}; offers use at most {maxTenure}."));
            tenure = maxTenure;
        }
        else if (tenure < MinTenureMonths)
        {
            adjustments.Add(new("REQUESTED_TENURE_BELOW_MIN", $"Requested tenure of {tenure} months is below the minimum of {MinTenureMonths}; offers use at least {MinTenureMonths}."));
            tenure = MinTenureMonths;
        }

        int[] tenures = request.RequestedTenure is null
            ? [.. new[] { maxTenure - 24, maxTenure - 12, maxTenure }.Where(t => t >= MinTenureMonths)]
            : [.. new[] { tenure - 12, tenure, tenure + 12 }.Where(t => t >= MinTenureMonths && t <= maxTenure)];

        decimal CapAt(int months) => Math.Min(segment.MaxLoanAmount, Affordability.MaxAffordableAmount(request.Profile, roi, months, limits.MaxDebtToIncome));

        decimal? requested = null;
        if (request.RequestedAmount is { } asked)
        {
            requested = asked;
            if (asked > segment.MaxLoanAmount)
            {
                adjustments.Add(new("REQUESTED_AMOUNT_ABOVE_TIER_MAX", $"Requested {Money(asked)} exceeds the {segment.CreditTier} tier's maximum of {Money(segment.MaxLoanAmount)}; offers are capped at {Money(segment.MaxLoanAmount)}."));
                requested = segment.MaxLoanAmount;
            }
            else if (asked < limits.MinLoanAmount)
            {
                adjustments.Add(new("REQUESTED_AMOUNT_BELOW_MIN", $"Requested {Money(asked)} is below the minimum loan of {Money(limits.MinLoanAmount)}; offers start at {Money(limits.MinLoanAmount)}."));
                requested = limits.MinLoanAmount;
            }

            var affordable = CapAt(tenure);
            if (requested > affordable)
            {
                adjustments.Add(new("REQUESTED_AMOUNT_ABOVE_AFFORDABLE", $"Requested {Money(requested.Value)} exceeds the affordable {Money(affordable)} over {tenure} months at {roi.ToString(CultureInfo.InvariantCulture)}%; offers are reduced to fit."));
            }
        }

        var candidates = new List<(decimal Amount, int Tenure, decimal Cap)>();
        foreach (var months in tenures)
        {
            var cap = CapAt(months);
            IEnumerable<decimal> amounts = requested is { } wanted
                ? RequestShares.Select(share => share == 1m ? wanted : RoundDown100(wanted * share))
                : CapShares.Select(share => RoundDown100(cap * share));
            foreach (var amount in amounts.Select(a => Math.Min(a, cap)).Where(a => a >= limits.MinLoanAmount).Distinct())
            {
                candidates.Add((amount, months, cap));
            }
        }

        var offers = candidates
            .Select(c => Price(request, c.Amount, c.Tenure, c.Cap, roi, requested))
            .OfType<LoanOffer>()
            .ToList();

        if (offers.Count == 0)
        {
            var fallbackCap = CapAt(maxTenure);
            var fallback = fallbackCap >= limits.MinLoanAmount ? Price(request, limits.MinLoanAmount, maxTenure, fallbackCap, roi, requested) : null;
            if (fallback is null)
            {
                return new OfferSet([], adjustments, fallbackCap < limits.MinLoanAmount
                    ? $"The largest affordable loan, {Money(fallbackCap)} over {maxTenure} months, is below the minimum of {Money(limits.MinLoanAmount)}."
                    : $"No loan of at least {Money(limits.MinLoanAmount)} keeps the minimum risk-adjusted margin within the rate band up to {request.Risk.MaxRoi.ToString(CultureInfo.InvariantCulture)}%.");
            }

            adjustments.Add(new("FALLBACK_OFFER", $"No standard variant fits; offering the minimum loan of {Money(limits.MinLoanAmount)} over {maxTenure} months."));
            offers.Add(fallback);
        }

        // The exact amount and tenure asked for, when they can be offered, come first: that is what the customer wants.
        var match = request.RequestedAmount is { } exactAmount && request.RequestedTenure is { } exactTenure
            ? offers.FirstOrDefault(o => o.Amount == exactAmount && o.Tenure == exactTenure)
            : null;
        LoanOffer[] ranked =
        [
            .. offers
                .OrderByDescending(o => o == match)
                .ThenByDescending(o => o.ExpectedValue)
                .ThenByDescending(o => o.Amount)
                .ThenBy(o => o.Tenure)
                .Select((o, i) => o with { Rank = i + 1 }),
        ];
        return new OfferSet(ranked, adjustments, null) { MatchedOfferId = match?.OfferId };
    }

    private static LoanOffer? Price(OfferRequest request, decimal amount, int tenure, decimal cap, decimal targetRoi, decimal? requestedAmount)
    {
        var fee = LoanMath.RoundMoney(amount * request.ProcessingFeePercent / 100m);
        if (OfferOptimizer.PreserveValue(amount, targetRoi, tenure, fee, request.Risk) is not { } roi)
        {
            return null;
        }

        // A rate raised to keep value must still leave the payment affordable.
        if (roi != targetRoi && amount > Affordability.MaxAffordableAmount(request.Profile, roi, tenure, request.Limits.MaxDebtToIncome))
        {
            return null;
        }

        var payment = LoanMath.MonthlyPayment(amount, roi, tenure);
        var (margin, expectedLoss) = OfferOptimizer.Economics(amount, roi, tenure, fee, request.Risk.DefaultProbability);
        var conversion = OfferOptimizer.Conversion(request.Behavior, request.Risk, roi, amount, tenure, cap, requestedAmount, request.RequestedTenure, request.Segment.TermMonths);
        return new LoanOffer(
            OfferId(request, amount, tenure, roi),
            request.Segment.CreditTier,
            roi,
            LoanMath.Apr(amount, fee, payment, tenure),
            amount,
            tenure,
            fee,
            payment,
            payment * tenure,
            Rank: 0,
            conversion,
            LoanMath.RoundMoney((decimal)conversion * margin),
            expectedLoss,
            request.Now.AddDays(request.TtlDays),
            request.ProgramId);
    }

    // The same customer, program version and terms always give the same id, so re-runs overwrite rather than duplicate.
    private static string OfferId(OfferRequest request, decimal amount, int tenure, decimal roi)
    {
        var key = string.Create(CultureInfo.InvariantCulture, $"{request.Profile.CustomerId}|{request.ProgramId}|{request.ProgramVersion}|{amount:0.00}|{tenure}|{roi:0.00}");
        return "OF-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 10));
    }

    private static decimal RoundDown100(decimal amount) => Math.Floor(amount / 100m) * 100m;

    private static string Money(decimal amount) => amount.ToString("$#,##0.00", CultureInfo.InvariantCulture);
}
