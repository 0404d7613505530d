using Xunit.Abstractions;

namespace LoanOffers.Domain.Tests;

public class SyntheticCustomersTests(ITestOutputHelper output)
{
    [Fact]
    public void Same_seed_gives_the_same_customers_and_pages_match_the_whole()
    {
        var first = SyntheticCustomers.Generate(500, 7).ToList();
        var again = SyntheticCustomers.Generate(500, 7).ToList();
        var page = SyntheticCustomers.Generate(100, 7, SyntheticCustomers.ReferenceDate, startIndex: 400).ToList();
        var otherSeed = SyntheticCustomers.Generate(500, 8).ToList();

        Assert.Equal(first, again);
        Assert.Equal(first[400..], page);
        Assert.Equal("C0000001", first[0].CustomerId);
        Assert.Equal("C0000500", first[^1].CustomerId);
        Assert.NotEqual(first.Select(p => p.CreditScore), otherSeed.Select(p => p.CreditScore));
        Assert.All(first, p => Assert.Empty(CustomerProfileValidator.Validate(p)));
    }

    [Fact]
    public void The_whole_book_generated_on_every_core_is_the_book_generated_one_by_one()
    {
        var oneByOne = SyntheticCustomers.Generate(25_003, 7, SyntheticCustomers.ReferenceDate).ToList();

        var all = SyntheticCustomers.GenerateAll(25_003, 7, SyntheticCustomers.ReferenceDate);

        Assert.Equal(oneByOne, all);
        Assert.Empty(SyntheticCustomers.GenerateAll(0, 7, SyntheticCustomers.ReferenceDate));
    }

    [Fact]
    public void Demo_program_funnel_matches_seed_000()
    {
        const int count = 20_000;
        var program = TestData.DemoProgram;
        var chain = FilterChain.Create(program);
        var now = SyntheticCustomers.ReferenceDate;
        var rejectedBy = new Dictionary<string, int>();
        var tiers = new Dictionary<string, int>();
        var passed = 0;

        foreach (var profile in SyntheticCustomers.Generate(count, 42))
        {
            var filter = chain.Evaluate(profile, now);
            if (!filter.Passed)
            {
                rejectedBy[filter.FilterId!] = rejectedBy.GetValueOrDefault(filter.FilterId!) + 1;
                continue;
            }

            passed++;
            var decision = CustomerEvaluator.Evaluate(new EvaluationInput
            {
                Profile = profile,
                Program = program,
                Scores = new ModelScores(
                    new ModelScore("truth-approval", "1", SyntheticCustomers.ApprovalProbability(profile)),
                    new ModelScore("truth-default", "1", SyntheticCustomers.DefaultProbability(profile))),
                Now = now,
                RunId = "funnel",
            }, chain);
            var tier = decision.Outcome == DecisionOutcome.Offered ? decision.Tier! : "none";
            tiers[tier] = tiers.GetValueOrDefault(tier) + 1;
        }

        double Share(int n, int of) => (double)n / of;
        output.WriteLine(string.Join(", ", rejectedBy.Select(r => $"{r.Key}={Share(r.Value, count):P1}")) + $", passed={Share(passed, count):P1}");
        output.WriteLine(string.Join(", ", tiers.Select(t => $"{t.Key}={Share(t.Value, passed):P1}")));

        Assert.InRange(Share(rejectedBy["trust"], count), 0.04, 0.06);
        Assert.InRange(Share(rejectedBy["credit-qualification"], count), 0.23, 0.27);
        Assert.InRange(Share(rejectedBy["affordability"], count), 0.18, 0.22);
        Assert.InRange(Share(rejectedBy["eligibility"], count), 0.13, 0.17);
        Assert.InRange(Share(rejectedBy["regulatory-compliance"], count), 0.08, 0.12);
        Assert.InRange(Share(passed, count), 0.23, 0.27);
        Assert.InRange(Share(tiers["excellent"], passed), 0.26, 0.34);
        Assert.InRange(Share(tiers["good"], passed), 0.46, 0.54);
        Assert.InRange(Share(tiers["fair"], passed), 0.16, 0.24);
        Assert.False(tiers.ContainsKey("none"));
    }
}
