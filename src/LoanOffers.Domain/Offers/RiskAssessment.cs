using Orleans;

namespace LoanOffers.Domain;

/// <summary>
/// Seed 003's risk result. <see cref="RiskScore"/> is 0 (safest) to 1; rates are annual percent; the optimiser
/// may price anywhere in [<see cref="MinRoi"/>, <see cref="MaxRoi"/>], <see cref="RiskRange"/> being its width.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.RiskAssessment")]
public sealed record RiskAssessment(double RiskScore, decimal BaseRoi, decimal MinRoi, decimal MaxRoi, decimal RiskRange, double DefaultProbability);

public static class RiskAssessor
{
    /// <summary>A customer of this risk score pays the segment's rate; each 0.1 above or below moves it 0.25 points.</summary>
    public const double NeutralRiskScore = 0.25;

    private const decimal PointsPerRiskUnit = 2.5m;

    /// <summary>The bank never prices more than this below the segment's advertised rate.</summary>
    private const decimal MaxDiscountPoints = 0.5m;

    /// <summary>A default probability of this or more counts as maximal risk.</summary>
    private const double MaximalDefaultProbability = 0.10;

    /// <summary>
    /// Blends the default model (70%) with the bureau picture (credit score, DTI, late payments, 30%), so a model
    /// outage or drift cannot move the price alone. A program without a default-risk model prices on the bureau
    /// picture alone, and takes the default probability it implies on the same scale.
    /// </summary>
    public static RiskAssessment Assess(CustomerProfile profile, double? modelDefaultProbability, OfferSegment segment)
    {
        var bureauRisk = 0.5 * Math.Clamp((850 - profile.CreditScore) / 550.0, 0, 1)
            + 0.3 * Math.Clamp((double)profile.DebtToIncome / 0.5, 0, 1)
            + 0.2 * Math.Clamp(profile.LatePaymentsLast12Months / 3.0, 0, 1);
        var riskScore = modelDefaultProbability is { } probability
            ? Math.Round(0.7 * Math.Clamp(probability / MaximalDefaultProbability, 0, 1) + 0.3 * bureauRisk, 4)
            : Math.Round(bureauRisk, 4);
        var defaultProbability = modelDefaultProbability ?? riskScore * MaximalDefaultProbability;

        var floor = segment.InterestRate - MaxDiscountPoints;
        var baseRoi = Math.Max(floor, Round(segment.InterestRate + (decimal)(riskScore - NeutralRiskScore) * PointsPerRiskUnit));
        var minRoi = Math.Max(floor, baseRoi - 0.75m);
        var maxRoi = Math.Min(ProgramConfigParser.MaxInterestRatePercent, baseRoi + 1.5m);
        return new RiskAssessment(riskScore, baseRoi, minRoi, maxRoi, maxRoi - minRoi, defaultProbability);
    }

    private static decimal Round(decimal rate) => Math.Round(rate, 2, MidpointRounding.AwayFromZero);
}
