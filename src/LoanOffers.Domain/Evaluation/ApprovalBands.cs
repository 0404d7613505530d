namespace LoanOffers.Domain;

/// <summary>Seed 000's approval score bands: excellent from 0.8, good from 0.6, fair from 0.4; below that, no offer.</summary>
public static class ApprovalBands
{
    public const double Excellent = 0.8;
    public const double Good = 0.6;
    public const double Fair = 0.4;

    private static readonly string[] Names = ["excellent", "good", "fair"];

    /// <summary>0 for excellent, 1 good, 2 fair; null below fair.</summary>
    public static int? Rank(double approvalProbability) => approvalProbability switch
    {
        >= Excellent => 0,
        >= Good => 1,
        >= Fair => 2,
        _ => null,
    };

    public static string Name(int rank) => Names[rank];
}
