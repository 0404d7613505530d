using LoanOffers.Abstractions;
using LoanOffers.Domain;

namespace LoanOffers.Grains.Tests;

[Collection(EngineCollection.Name)]
public sealed class CustomerGrainTests(EngineClusterFixture fixture)
{
    /// <summary>
    /// The engine's clock at the start of the run (the grains read offers' expiry against it), so no test depends on
    /// the date it runs on.
    /// </summary>
    private static readonly DateTimeOffset Now = TimeProvider.System.GetUtcNow();

    /// <summary>The strongest synthetic customer who passes every filter of the demo program: one the models approve.</summary>
    private static CustomerProfile Qualified(string id)
    {
        var program = EngineClusterFixture.DemoProgram(1);
        var chain = FilterChain.Create(program);
        var passer = SyntheticCustomers.Generate(2_000, 11, Now)
            .Where(profile => chain.Evaluate(profile, Now).Passed)
            .OrderByDescending(profile => profile.CreditScore)
            .ThenBy(profile => profile.DebtToIncome)
            .First();
        return passer with { CustomerId = id };
    }

    [Fact]
    public async Task Evaluating_the_same_run_twice_returns_the_stored_decision()
    {
        var program = EngineClusterFixture.DemoProgram(1);
        var id = "cust-" + Guid.NewGuid().ToString("N")[..10];
        var customer = fixture.Grains.GetGrain<ICustomerGrain>(id);
        var command = new EvaluateCustomer("run-1", program, Qualified(id), Now);

        var first = await customer.Evaluate(command);
        var firstDecision = await customer.GetDecision();
        var second = await customer.Evaluate(command with { Now = Now.AddHours(1) });

        Assert.Equal(DecisionOutcome.Offered, first.Outcome);
        Assert.False(first.FromStoredDecision);
        Assert.True(second.FromStoredDecision);
        Assert.Equal(first.Candidate, second.Candidate);
        var storedDecision = await customer.GetDecision();
        Assert.Equal(firstDecision!.EvaluatedAt, storedDecision!.EvaluatedAt);
        Assert.Equal(firstDecision.Offers, storedDecision.Offers);
        Assert.NotEmpty(firstDecision!.ModelScores);
        Assert.All(firstDecision.ModelScores, score => Assert.False(string.IsNullOrEmpty(score.Version)));
    }

    [Fact]
    public async Task An_opted_out_customer_is_never_offered()
    {
        var program = EngineClusterFixture.DemoProgram(1);
        var id = "optout-" + Guid.NewGuid().ToString("N")[..10];
        var customer = fixture.Grains.GetGrain<ICustomerGrain>(id);

        var evaluation = await customer.Evaluate(new EvaluateCustomer("run-1", program, Qualified(id) with { PrescreenOptOut = true }, Now));

        Assert.Equal(DecisionOutcome.Rejected, evaluation.Outcome);
        Assert.Equal("eligibility", evaluation.RejectedBy);
        Assert.Null(evaluation.Candidate);
        var offers = await customer.GetOffers();
        Assert.NotNull(offers);
        Assert.Empty(offers.Offers);
        var decision = await customer.GetDecision();
        Assert.Contains("OPT", decision!.FilterResult.ReasonCode, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_customer_offered_in_one_run_is_inside_the_90_day_window_in_the_next_and_keeps_the_offers()
    {
        var program = EngineClusterFixture.DemoProgram(1);
        var id = "window-" + Guid.NewGuid().ToString("N")[..10];
        var customer = fixture.Grains.GetGrain<ICustomerGrain>(id);
        await customer.Evaluate(new EvaluateCustomer("week-1", program, Qualified(id), Now));

        var nextWeek = await customer.Evaluate(new EvaluateCustomer("week-2", program, Qualified(id), Now.AddDays(7)));

        Assert.Equal(DecisionOutcome.Rejected, nextWeek.Outcome);
        Assert.Equal("eligibility", nextWeek.RejectedBy);
        var offers = await customer.GetOffers();
        Assert.Equal("week-1", offers!.RunId);
        Assert.NotEmpty(offers.Offers);
        Assert.Equal(Enumerable.Range(1, offers.Offers.Count), offers.Offers.Select(offer => offer.Rank));
    }

    [Fact]
    public async Task An_unknown_customer_has_no_offers_and_no_real_time_offers()
    {
        var customer = fixture.Grains.GetGrain<ICustomerGrain>("unknown-" + Guid.NewGuid().ToString("N")[..10]);

        Assert.Null(await customer.GetOffers());
        Assert.Null(await customer.RequestOffers(new OfferRequestCommand(EngineClusterFixture.DemoProgram(1), 10_000m, 36, Now)));
    }

    [Fact]
    public async Task Real_time_offers_for_an_amount_above_the_cap_stay_at_the_cap_and_say_so()
    {
        var program = EngineClusterFixture.DemoProgram(1);
        var id = "rt-" + Guid.NewGuid().ToString("N")[..10];
        var customer = fixture.Grains.GetGrain<ICustomerGrain>(id);
        await customer.Evaluate(new EvaluateCustomer("run-1", program, Qualified(id), Now));
        var cap = program.LoanOfferStrategy.Segments.Max(segment => segment.MaxLoanAmount);

        var offers = await customer.RequestOffers(new OfferRequestCommand(program, cap * 3, 36, Now));

        Assert.NotNull(offers);
        Assert.NotEmpty(offers.Offers);
        Assert.All(offers.Offers, offer => Assert.True(offer.Amount <= cap));
        Assert.NotEmpty(offers.Adjustments);
    }
}
