using Orleans;

namespace LoanOffers.Domain;

[GenerateSerializer, Alias("loanoffers.PriceSensitivity")]
public enum PriceSensitivity { Low, Medium, High }

/// <summary>Seed 003's behaviour result; <see cref="LongTermValue"/> is the relationship's yearly value in dollars.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.BehaviorAnalysis")]
public sealed record BehaviorAnalysis(PriceSensitivity PriceSensitivity, double ConversionProbability, decimal LongTermValue)
{
    /// <summary>
    /// The terms the customer looked at and walked away from (the lowest such rate, and the amount offered at it):
    /// offers at that rate or above, for that amount or more, convert less.
    /// </summary>
    [Id(3)] public decimal? ResistedRoi { get; init; }

    [Id(5)] public decimal? ResistedAmount { get; init; }

    /// <summary>How firmly (0 to 1): the more walk-aways, the firmer, fading with them.</summary>
    [Id(4)] public double Resistance { get; init; }
}

/// <summary>
/// What a customer did with the offers it was shown, learned from its own responses: counts that fade with a half-life
/// of <see cref="HalfLifeDays"/>, as of <see cref="AsOf"/>, so last month's behaviour weighs more than last year's.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.BehaviorSignals")]
public sealed record BehaviorSignals(double OffersShown, double OffersClicked, double OffersApplied, double OffersDeclined)
{
    public const double HalfLifeDays = 90;

    [Id(4)] public DateTimeOffset AsOf { get; init; }

    /// <summary>The lowest note rate of an offer the customer clicked and did not apply for; null once it applied at such a rate.</summary>
    [Id(5)] public decimal? WalkedAwayRoi { get; init; }

    /// <summary>The amount of the offer clicked at <see cref="WalkedAwayRoi"/> (the smallest, if several).</summary>
    [Id(6)] public decimal? WalkedAwayAmount { get; init; }

    /// <summary>The counts faded to <paramref name="now"/>.</summary>
    public BehaviorSignals DecayedTo(DateTimeOffset now)
    {
        if (now <= AsOf)
        {
            return this;
        }

        var factor = Math.Pow(0.5, (now - AsOf).TotalDays / HalfLifeDays);
        return this with
        {
            OffersShown = OffersShown * factor,
            OffersClicked = OffersClicked * factor,
            OffersApplied = OffersApplied * factor,
            OffersDeclined = OffersDeclined * factor,
            AsOf = now,
        };
    }

    /// <summary>These signals after the customer clicked an offer of <paramref name="amount"/> at <paramref name="roi"/>: terms it walks away from unless it applies.</summary>
    public BehaviorSignals ClickedAt(decimal roi, decimal amount) => WalkedAwayRoi switch
    {
        null => this with { WalkedAwayRoi = roi, WalkedAwayAmount = amount },
        { } lowest when roi < lowest => this with { WalkedAwayRoi = roi, WalkedAwayAmount = amount },
        { } lowest when roi == lowest => this with { WalkedAwayAmount = Math.Min(WalkedAwayAmount ?? amount, amount) },
        _ => this,
    };

    /// <summary>These signals after the customer applied at <paramref name="roi"/>: a rate it accepts is no longer one it resists.</summary>
    public BehaviorSignals AppliedAt(decimal roi) =>
        WalkedAwayRoi is { } lowest && roi >= lowest ? this with { WalkedAwayRoi = null, WalkedAwayAmount = null } : this;

    /// <summary>These signals with one more response of <paramref name="kind"/> at <paramref name="at"/>.</summary>
    public BehaviorSignals With(CustomerResponse kind, DateTimeOffset at)
    {
        var faded = DecayedTo(at);
        return kind switch
        {
            CustomerResponse.Shown => faded with { OffersShown = faded.OffersShown + 1 },
            CustomerResponse.Clicked => faded with { OffersClicked = faded.OffersClicked + 1 },
            CustomerResponse.Applied => faded with { OffersApplied = faded.OffersApplied + 1 },
            _ => faded with { OffersDeclined = faded.OffersDeclined + 1 },
        };
    }

    public static BehaviorSignals None(DateTimeOffset at) => new(0, 0, 0, 0) { AsOf = at };
}

/// <summary>A customer's response to an offer, as behaviour learns from it.</summary>
[GenerateSerializer, Alias("loanoffers.CustomerResponse")]
public enum CustomerResponse { Shown, Clicked, Applied, Declined }

public static class BehaviorAnalyzer
{
    /// <summary>Below this many offers shown, observed behaviour is too thin to trust on its own.</summary>
    public const int PriorWeight = 5;

    /// <summary>
    /// Price sensitivity: strong credit (more options elsewhere), thin savings and high DTI make a customer shop on
    /// rate; offers the customer looked at and walked away from (clicked without applying, or declined) pull it up. Conversion: from the approval score, scaled to seed 000's observed
    /// application rates (about 15% for the best customers, 3% for fair), then updated with the customer's own
    /// funnel as a beta-binomial with <see cref="PriorWeight"/> pseudo-offers.
    /// </summary>
    public static BehaviorAnalysis Analyze(CustomerProfile profile, double approvalProbability, BehaviorSignals? signals)
    {
        var sensitivity = 0.4 * Math.Clamp((profile.CreditScore - 300) / 550.0, 0, 1)
            + 0.3 * (1 - Math.Clamp((double)profile.SavingsRate / 0.2, 0, 1))
            + 0.3 * Math.Clamp((double)profile.DebtToIncome / 0.43, 0, 1);

        var conversion = 0.02 + 0.16 * Math.Pow(Math.Clamp(approvalProbability, 0, 1), 2);
        if (signals is { OffersShown: > 0 } seen)
        {
            var walkedAway = Math.Max(0, seen.OffersClicked - seen.OffersApplied) + seen.OffersDeclined;
            var walkAwayRate = Math.Clamp(walkedAway / seen.OffersShown, 0, 1);
            var weight = seen.OffersShown / (seen.OffersShown + PriorWeight);
            sensitivity = (1 - weight) * sensitivity + weight * walkAwayRate;
            conversion = (conversion * PriorWeight + seen.OffersApplied) / (PriorWeight + seen.OffersShown);
        }

        var priceSensitivity = sensitivity switch
        {
            >= 0.6 => PriceSensitivity.High,
            >= 0.4 => PriceSensitivity.Medium,
            _ => PriceSensitivity.Low,
        };

        // Yearly value of the relationship beyond the loan: deposit margin plus cross-sell, growing with tenure.
        var tenureFactor = Math.Min(1m, profile.AccountAgeMonths / 60m);
        var longTermValue = LoanMath.RoundMoney(0.02m * profile.DepositBalance + 0.005m * profile.AnnualIncome * (0.5m + 0.5m * tenureFactor));

        // Half a walk-away (one a quarter ago) already makes the customer as likely to resist those terms as not.
        var walkAways = signals is null ? 0 : Math.Max(0, signals.OffersClicked - signals.OffersApplied);
        var resisting = walkAways > 0 && signals!.WalkedAwayRoi is not null;
        return new BehaviorAnalysis(priceSensitivity, Math.Round(Math.Clamp(conversion, 0, 1), 4), longTermValue)
        {
            ResistedRoi = resisting ? signals!.WalkedAwayRoi : null,
            ResistedAmount = resisting ? signals!.WalkedAwayAmount : null,
            Resistance = resisting ? Math.Round(walkAways / (walkAways + 0.5), 4) : 0,
        };
    }
}
