namespace LoanOffers.Domain;

/// <summary>
/// One group against the best-treated group of its dimension: its offer rate, the adverse impact ratio (its rate over
/// the best group's), its mean approval score and each filter's rejection rate. A breach is a ratio under the
/// four-fifths threshold in a group large enough to judge.
/// </summary>
public sealed record GroupFairness(
    string Dimension,
    string Group,
    int Evaluated,
    int Offered,
    double OfferRate,
    double? AdverseImpactRatio,
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

    public static FairnessReport Assess(IReadOnlyDictionary<string, GroupOutcomes> groups)
    {
        var assessed = new List<GroupFairness>();
        foreach (var dimension in groups.GroupBy(group => group.Key.Split(':', 2)[0]).OrderBy(dimension => dimension.Key, StringComparer.Ordinal))
        {
            var judged = dimension.Where(group => group.Value.Evaluated >= MinimumGroupSize).ToList();
            var best = judged.Count == 0 ? 0 : judged.Max(group => Rate(group.Value.Offered, group.Value.Evaluated));
            foreach (var (key, outcomes) in dimension.OrderBy(group => group.Key, StringComparer.Ordinal))
            {
                var rate = Rate(outcomes.Offered, outcomes.Evaluated);
                double? ratio = best > 0 ? Math.Round(rate / best, 4) : null;
                assessed.Add(new GroupFairness(
                    dimension.Key,
                    key.Split(':', 2)[1],
                    outcomes.Evaluated,
                    outcomes.Offered,
                    Math.Round(rate, 4),
                    ratio,
                    outcomes.Scored == 0 ? null : Math.Round(outcomes.ApprovalScoreSum / outcomes.Scored, 4),
                    outcomes.RejectedByFilter.ToDictionary(filter => filter.Key, filter => Math.Round(Rate(filter.Value, outcomes.Evaluated), 4)),
                    outcomes.Evaluated >= MinimumGroupSize && ratio < FourFifths));
            }
        }

        return new FairnessReport(assessed, FourFifths, MinimumGroupSize);
    }

    private static double Rate(int part, int whole) => whole == 0 ? 0 : (double)part / whole;
}
