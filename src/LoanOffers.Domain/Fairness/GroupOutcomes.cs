using System.Collections.Immutable;
using Orleans;

namespace LoanOffers.Domain;

/// <summary>
/// How one group of customers fared in a run (an age band or a state): how many were evaluated and offered, the sum of
/// their approval scores, and how many each filter rejected. Only these counts leave the engine, never a birth date.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.GroupOutcomes")]
public sealed record GroupOutcomes
{
    public static readonly GroupOutcomes None = new();

    [Id(0)] public int Evaluated { get; init; }
    [Id(1)] public int Offered { get; init; }

    /// <summary>Customers who passed the filters and were scored.</summary>
    [Id(2)] public int Scored { get; init; }

    [Id(3)] public double ApprovalScoreSum { get; init; }
    [Id(4)] public ImmutableSortedDictionary<string, int> RejectedByFilter { get; init; } = KeyedCounts.Empty;

    /// <summary>One more customer of the group: offered or not, its approval score if scored, the filter that rejected it if one did.</summary>
    public GroupOutcomes With(bool offered, double? approvalScore, string? rejectedBy) => this with
    {
        Evaluated = Evaluated + 1,
        Offered = Offered + (offered ? 1 : 0),
        Scored = Scored + (approvalScore is null ? 0 : 1),
        ApprovalScoreSum = ApprovalScoreSum + (approvalScore ?? 0),
        RejectedByFilter = rejectedBy is null ? RejectedByFilter : RejectedByFilter.Increment(rejectedBy, 1),
    };

    public GroupOutcomes Plus(GroupOutcomes other) => this with
    {
        Evaluated = Evaluated + other.Evaluated,
        Offered = Offered + other.Offered,
        Scored = Scored + other.Scored,
        ApprovalScoreSum = ApprovalScoreSum + other.ApprovalScoreSum,
        RejectedByFilter = RejectedByFilter.Plus(other.RejectedByFilter),
    };
}

/// <summary>The groups the fairness monitor compares: age bands (from the date of birth, on the run's day) and states.</summary>
public static class FairnessGroups
{
    public const string Age = "age";
    public const string State = "state";

    /// <summary>The customer's groups, as <c>dimension:group</c> keys: <c>age:35-44</c>, <c>state:CA</c>.</summary>
    public static IReadOnlyList<string> Of(CustomerProfile profile, DateOnly day) => [$"{Age}:{AgeBand(profile.AgeOn(day))}", $"{State}:{profile.State}"];

    public static string AgeBand(int age) => age switch
    {
        < 25 => "18-24",
        < 35 => "25-34",
        < 45 => "35-44",
        < 55 => "45-54",
        < 65 => "55-64",
        _ => "65+",
    };
}
