using Orleans;

namespace LoanOffers.Domain;

[GenerateSerializer, Alias("loanoffers.PriceSensitivity")]
public enum PriceSensitivity { Low, Medium, High }

/// <summary>Seed 003's behaviour result; <see cref="LongTermValue"/> is the relationship's yearly value in dollars.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.BehaviorAnalysis")]
public sealed record BehaviorAnalysis(PriceSensitivity PriceSensitivity, double ConversionProbability, decimal LongTermValue);

/// <summary>What a customer did with earlier offers, learned from funnel events.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.BehaviorSignals")]
public sealed record BehaviorSignals(int OffersShown, int OffersClicked, int OffersApplied, int OffersDeclined);

public static class BehaviorAnalyzer
{
    /// <summary>Below this many offers shown, observed behaviour is too thin to trust on its own.</summary>
    public const int PriorWeight = 5;

    /// <summary>
    /// Price sensitivity: strong credit (more options elsewhere), thin savings and high DTI make a customer shop on
    /// rate; declined offers pull it up. Conversion: from the approval score, scaled to seed 000's observed
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
            var declineRate = Math.Clamp((double)seen.OffersDeclined / seen.OffersShown, 0, 1);
            var weight = (double)seen.OffersShown / (seen.OffersShown + PriorWeight);
            sensitivity = (1 - weight) * sensitivity + weight * declineRate;
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

        return new BehaviorAnalysis(priceSensitivity, Math.Round(Math.Clamp(conversion, 0, 1), 4), longTermValue);
    }
}
