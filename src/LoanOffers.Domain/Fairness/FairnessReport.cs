using MathNet.Numerics.Distributions;

namespace LoanOffers.Domain;

/// <summary>
/// One group of a dimension (an age band, a state): its offer rate, the adverse impact ratio (its rate over the
/// best-treated group's), the z statistic of its gap to the rest of the dimension (a two-proportion test; positive
/// when the group is offered less), the z a gap must pass to be more than chance, its mean approval score and each
/// filter's rejection rate. A breach is a ratio under the four-fifths threshold in a group large enough to judge,
/// with a gap beyond chance.
/// </summary>
public sealed record GroupFairness(
    string Dimension,
    string Group,
    int Evaluated,
    int Offered,
    double OfferRate,
    double? AdverseImpactRatio,
    double? ZScore,
    double? CriticalZ,
    double? MeanApprovalScore,
    IReadOnlyDictionary<string, double> FilterRejectionRates,
    bool Breach);

/// <summary>The fairness of a run's offers by age band and by state (the four-fifths rule), with the breaches named.</summary>
public sealed record FairnessReport(IReadOnlyList<GroupFairness> Groups, double Threshold, int MinimumGroupSize)
{
    /// <summary>The breaching groups, e.g. <c>age 65+: 0.62 of the best group's offer rate</c>.</summary>
    public IReadOnlyList<string> Breaches => [.. Groups.Where(group => group.Breach)
        .Select(group => FormattableString.Invariant($"{group.Dimension} {group.Group}: {group.AdverseImpactRatio:F2} of the best group's offer rate"))];
}

public static class FairnessMonitor
{
    /// <summary>The four-fifths rule: a group offered at under 80% of the best-treated group's rate shows adverse impact.</summary>
    public const double FourFifths = 0.8;

    /// <summary>Groups with fewer customers are reported but not judged: their rates are too noisy to call a breach.</summary>
    public const int MinimumGroupSize = 30;

    /// <summary>
    /// The chance of calling a gap adverse impact when a dimension's groups are in truth treated alike. It is shared
    /// among the dimension's judged groups (Bonferroni): with fifty states, fifty chances to be unlucky must together
    /// stay at 5%, or one state in twenty would be flagged on noise alone.
    /// </summary>
    public const double FalseAlarmRate = 0.05;

    public static FairnessReport Assess(IReadOnlyDictionary<string, GroupOutcomes> groups)
    {
        var assessed = new List<GroupFairness>();
        foreach (var dimension in groups.GroupBy(group => group.Key.Split(':', 2)[0]).OrderBy(dimension => dimension.Key, StringComparer.Ordinal))
        {
            var judged = dimension.Where(group => group.Value.Evaluated >= MinimumGroupSize).ToList();
            var bestRate = judged.Count == 0 ? 0 : judged.Max(group => Rate(group.Value.Offered, group.Value.Evaluated));
            double? criticalZ = judged.Count == 0 ? null : Math.Round(CriticalZ(judged.Count), 3);
            var (dimensionEvaluated, dimensionOffered) = (dimension.Sum(group => group.Value.Evaluated), dimension.Sum(group => group.Value.Offered));
            foreach (var (key, outcomes) in dimension.OrderBy(group => group.Key, StringComparer.Ordinal))
            {
                var rate = Rate(outcomes.Offered, outcomes.Evaluated);
                double? ratio = bestRate > 0 ? Math.Round(rate / bestRate, 4) : null;
                var rest = (Evaluated: dimensionEvaluated - outcomes.Evaluated, Offered: dimensionOffered - outcomes.Offered);
                double? z = rest.Evaluated == 0 ? null : Math.Round(GapToRest(outcomes, rest.Evaluated, rest.Offered), 3);
                assessed.Add(new GroupFairness(
                    dimension.Key,
                    key.Split(':', 2)[1],
                    outcomes.Evaluated,
                    outcomes.Offered,
                    Math.Round(rate, 4),
                    ratio,
                    z,
                    criticalZ,
                    outcomes.Scored == 0 ? null : Math.Round(outcomes.ApprovalScoreSum / outcomes.Scored, 4),
                    outcomes.RejectedByFilter.ToDictionary(filter => filter.Key, filter => Math.Round(Rate(filter.Value, outcomes.Evaluated), 4)),
                    outcomes.Evaluated >= MinimumGroupSize && ratio < FourFifths && z > criticalZ));
            }
        }

        return new FairnessReport(assessed, FourFifths, MinimumGroupSize);
    }

    private static double Rate(int part, int whole) => whole == 0 ? 0 : (double)part / whole;

    /// <summary>
    /// How many standard errors the rest of the dimension's offer rate lies above the group's (pooled two-proportion
    /// test). The rest, not the best group, is the yardstick: the best of fifty groups is the luckiest, and every
    /// group would look worse than it by chance.
    /// </summary>
    private static double GapToRest(GroupOutcomes group, int restEvaluated, int restOffered)
    {
        var pooled = Rate(group.Offered + restOffered, group.Evaluated + restEvaluated);
        var error = Math.Sqrt(pooled * (1 - pooled) * (1.0 / Math.Max(group.Evaluated, 1) + 1.0 / restEvaluated));
        return error == 0 ? 0 : (Rate(restOffered, restEvaluated) - Rate(group.Offered, group.Evaluated)) / error;
    }

    /// <summary>The z a gap must pass in a dimension of <paramref name="judgedGroups"/> groups (two-sided, Bonferroni).</summary>
    private static double CriticalZ(int judgedGroups) => Normal.InvCDF(0, 1, 1 - FalseAlarmRate / (2.0 * judgedGroups));
}
