using System.Collections.Immutable;
using Orleans;

namespace LoanOffers.Domain;

/// <summary>
/// A champion's decision beside what its program's challengers would have made of the same customer: the champion
/// scores, tier and base rate, and the challengers' outcome.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.ChallengedDecision")]
public sealed record ChallengedDecision(ModelScore Approval, ModelScore? Default, string? Tier, decimal? BaseRoi, ChallengerOutcome Challenger)
{
    public static ChallengedDecision? Of(CustomerDecision decision) =>
        decision.Challenger is { } challenger && decision.ModelScores.Count > 0
            ? new ChallengedDecision(decision.ModelScores[0], decision.ModelScores.Count > 1 ? decision.ModelScores[1] : null, decision.Tier, decision.Risk?.BaseRoi, challenger)
            : null;
}

/// <summary>
/// A champion and its challenger over a run's customers: the joint distribution of their scores in ten bins (an
/// approval probability in tenths, a default probability in hundredths up to 9% and above), the sums their means
/// and mean difference come from, and how many customers' tier, offer or price the challenger would have changed.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.ChallengerTally")]
public sealed record ChallengerTally
{
    public const int Bins = 10;

    [Id(0)] public required string Role { get; init; }
    [Id(1)] public required string Champion { get; init; }
    [Id(2)] public required string Challenger { get; init; }

    /// <summary>Customers by champion bin (row) and challenger bin (column), row-major.</summary>
    [Id(3)] public ImmutableArray<int> Joint { get; init; } = [.. new int[Bins * Bins]];

    [Id(4)] public double ChampionSum { get; init; }
    [Id(5)] public double ChallengerSum { get; init; }
    [Id(6)] public double AbsoluteDifferenceSum { get; init; }
    [Id(7)] public int TierChanges { get; init; }
    [Id(8)] public int OfferChanges { get; init; }
    [Id(9)] public int PriceChanges { get; init; }

    public int Customers => Joint.Sum();

    public static int Bin(string role, double score) =>
        Math.Clamp((int)Math.Floor(score * (role == ModelRoles.Approval ? Bins : 100)), 0, Bins - 1);

    /// <summary>One more customer: both scores, and whether the challenger would have changed its tier, its offer or its price.</summary>
    public ChallengerTally With(double champion, double challenger, bool tierChanged, bool offerChanged, bool priceChanged)
    {
        var cell = Bin(Role, champion) * Bins + Bin(Role, challenger);
        return this with
        {
            Joint = Joint.SetItem(cell, Joint[cell] + 1),
            ChampionSum = ChampionSum + champion,
            ChallengerSum = ChallengerSum + challenger,
            AbsoluteDifferenceSum = AbsoluteDifferenceSum + Math.Abs(challenger - champion),
            TierChanges = TierChanges + (tierChanged ? 1 : 0),
            OfferChanges = OfferChanges + (offerChanged ? 1 : 0),
            PriceChanges = PriceChanges + (priceChanged ? 1 : 0),
        };
    }

    public ChallengerTally Plus(ChallengerTally other) => this with
    {
        Joint = [.. Joint.Zip(other.Joint, (mine, theirs) => mine + theirs)],
        ChampionSum = ChampionSum + other.ChampionSum,
        ChallengerSum = ChallengerSum + other.ChallengerSum,
        AbsoluteDifferenceSum = AbsoluteDifferenceSum + other.AbsoluteDifferenceSum,
        TierChanges = TierChanges + other.TierChanges,
        OfferChanges = OfferChanges + other.OfferChanges,
        PriceChanges = PriceChanges + other.PriceChanges,
    };

    /// <summary>Adds a challenged decision to the tallies by role, starting a role's tally at its first customer.</summary>
    public static void Add(IDictionary<string, ChallengerTally> tallies, ChallengedDecision decision)
    {
        var challenger = decision.Challenger;
        var tierChanged = challenger.Tier != decision.Tier;
        var offerChanged = (challenger.Tier is null) != (decision.Tier is null);
        var priceChanged = !tierChanged && decision.Tier is not null && challenger.BaseRoi != decision.BaseRoi;
        if (challenger.Approval is { } approval)
        {
            Record(ModelRoles.Approval, decision.Approval, approval);
        }

        if (challenger.Default is { } risk && decision.Default is { } champion)
        {
            Record(ModelRoles.DefaultRisk, champion, risk);
        }

        void Record(string role, ModelScore champion, ModelScore challenged) =>
            tallies[role] = (tallies.TryGetValue(role, out var tally) ? tally : new ChallengerTally { Role = role, Champion = champion.ModelId, Challenger = challenged.ModelId })
                .With(champion.Score, challenged.Score, tierChanged, offerChanged, priceChanged);
    }
}

/// <summary>
/// A champion against its challenger over a run, for the run report: both score distributions (customers per bin),
/// both means and the mean difference, the share of customers both put in the same bin, the rank correlation of their
/// scores (Spearman's, on the binned scores with ties at their mid-rank), and the tiers, offers and prices the
/// challenger would have changed.
/// </summary>
public sealed record ChallengerComparison(
    string Role,
    string Champion,
    string Challenger,
    int Customers,
    double ChampionMean,
    double ChallengerMean,
    double MeanAbsoluteDifference,
    IReadOnlyList<int> ChampionDistribution,
    IReadOnlyList<int> ChallengerDistribution,
    double SameBinShare,
    double RankCorrelation,
    int TierChanges,
    int OfferChanges,
    int PriceChanges)
{
    public static ChallengerComparison Of(ChallengerTally tally)
    {
        var bins = ChallengerTally.Bins;
        var customers = Math.Max(tally.Customers, 1);
        int[] rows = [.. Enumerable.Range(0, bins).Select(row => Enumerable.Range(0, bins).Sum(column => tally.Joint[row * bins + column]))];
        int[] columns = [.. Enumerable.Range(0, bins).Select(column => Enumerable.Range(0, bins).Sum(row => tally.Joint[row * bins + column]))];
        var rowRanks = MidRanks(rows);
        var columnRanks = MidRanks(columns);
        var meanRank = (customers + 1) / 2.0;
        double covariance = 0, rowVariance = 0, columnVariance = 0;
        for (var row = 0; row < bins; row++)
        {
            rowVariance += rows[row] * Math.Pow(rowRanks[row] - meanRank, 2);
            columnVariance += columns[row] * Math.Pow(columnRanks[row] - meanRank, 2);
            for (var column = 0; column < bins; column++)
            {
                covariance += tally.Joint[row * bins + column] * (rowRanks[row] - meanRank) * (columnRanks[column] - meanRank);
            }
        }

        var correlation = rowVariance == 0 || columnVariance == 0 ? 1 : covariance / Math.Sqrt(rowVariance * columnVariance);
        return new ChallengerComparison(
            tally.Role, tally.Champion, tally.Challenger, tally.Customers,
            Math.Round(tally.ChampionSum / customers, 4), Math.Round(tally.ChallengerSum / customers, 4), Math.Round(tally.AbsoluteDifferenceSum / customers, 4),
            rows, columns,
            Math.Round((double)Enumerable.Range(0, bins).Sum(bin => tally.Joint[bin * bins + bin]) / customers, 4),
            Math.Round(correlation, 4),
            tally.TierChanges, tally.OfferChanges, tally.PriceChanges);
    }

    /// <summary>Each bin's customers' mid-rank among all customers, bins in score order.</summary>
    private static double[] MidRanks(int[] counts)
    {
        var ranks = new double[counts.Length];
        var before = 0;
        for (var bin = 0; bin < counts.Length; bin++)
        {
            ranks[bin] = before + (counts[bin] + 1) / 2.0;
            before += counts[bin];
        }

        return ranks;
    }
}
