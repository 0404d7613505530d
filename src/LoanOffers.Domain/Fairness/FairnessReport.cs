namespace LoanOffers.Domain;

/// <summary>
/// One group against the best-treated group of its dimension: its offer rate, the adverse impact ratio (its rate over
/// the best group's), the z statistic of the gap (a two-proportion test against the best group), its mean approval
/// score and each filter's rejection rate. A breach is a ratio under the four-fifths threshold in a group large
/// enough to judge, with a gap too large for chance (z above 1.96, 5% two-sided), so a few dozen customers' noise
/// is not called adverse impact.
/// </summary>
public sealed record GroupFairness(
    string Dimension,
    string Group,
    int Evaluated,
    int Offered,
    double OfferRate,
    double? AdverseImpactRatio,
    double? ZScore,
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

    /// <summary>A gap whose z statistic is above this is not chance at the 5% level (two-sided).</summary>
    public const double SignificantZ = 1.96;

    public static FairnessReport Assess(IReadOnlyDictionary<string, GroupOutcomes> groups)
    {
        var assessed = new List<GroupFairness>();
        foreach (var dimension in groups.GroupBy(group => group.Key.Split(':', 2)[0]).OrderBy(dimension => dimension.Key, StringComparer.Ordinal))
        {
            var judged = dimension.Where(group => group.Value.Evaluated >= MinimumGroupSize).ToList();
            var best = judged.Count == 0 ? null : judged.MaxBy(group => Rate(group.Value.Offered, group.Value.Evaluated)).Value;
            var bestRate = best is null ? 0 : Rate(best.Offered, best.Evaluated);
            foreach (var (key, outcomes) in dimension.OrderBy(group => group.Key, StringComparer.Ordinal))
            {
                var rate = Rate(outcomes.Offered, outcomes.Evaluated);
                double? ratio = bestRate > 0 ? Math.Round(rate / bestRate, 4) : null;
                double? z = best is null ? null : Math.Round(ZScore(outcomes, best), 3);
                assessed.Add(new GroupFairness(
                    dimension.Key,
                    key.Split(':', 2)[1],
                    outcomes.Evaluated,
                    outcomes.Offered,
                    Math.Round(rate, 4),
                    ratio,
                    z,
                    outcomes.Scored == 0 ? null : Math.Round(outcomes.ApprovalScoreSum / outcomes.Scored, 4),
                    outcomes.RejectedByFilter.ToDictionary(filter => filter.Key, filter => Math.Round(Rate(filter.Value, outcomes.Evaluated), 4)),
                    outcomes.Evaluated >= MinimumGroupSize && ratio < FourFifths && z > SignificantZ));
            }
        }

        return new FairnessReport(assessed, FourFifths, MinimumGroupSize);
    }

    private static double Rate(int part, int whole) => whole == 0 ? 0 : (double)part / whole;

    /// <summary>How many standard errors the best group's offer rate lies above the group's (pooled two-proportion test).</summary>
    private static double ZScore(GroupOutcomes group, GroupOutcomes best)
    {
        var pooled = Rate(group.Offered + best.Offered, group.Evaluated + best.Evaluated);
        var error = Math.Sqrt(pooled * (1 - pooled) * (1.0 / Math.Max(group.Evaluated, 1) + 1.0 / Math.Max(best.Evaluated, 1)));
        return error == 0 ? 0 : (Rate(best.Offered, best.Evaluated) - Rate(group.Offered, group.Evaluated)) / error;
    }
}
