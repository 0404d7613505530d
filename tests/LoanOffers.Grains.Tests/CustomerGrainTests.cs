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
        var firstDecision = await customer.GetDecision(program.ProgramId);
        var second = await customer.Evaluate(command with { Now = Now.AddHours(1) });

        Assert.Equal(DecisionOutcome.Offered, first.Outcome);
        Assert.False(first.FromStoredDecision);
        Assert.True(second.FromStoredDecision);
        Assert.Equal(first.Candidate, second.Candidate);
        var storedDecision = await customer.GetDecision(program.ProgramId);
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
        var decision = await customer.GetDecision(program.ProgramId);
        Assert.Contains("OPT", decision!.FilterResult.ReasonCode, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_customer_offered_in_one_run_is_inside_the_90_day_window_in_the_next_and_keeps_the_offers()
    {
        var program = EngineClusterFixture.DemoProgram(1);
        var id = "window-" + Guid.NewGuid().ToString("N")[..10];
        var customer = fixture.Grains.GetGrain<ICustomerGrain>(id);
        await customer.Evaluate(new EvaluateCustomer("week-1", program, Qualified(id), Now));
        var weekOne = await customer.GetDecision(program.ProgramId);

        var nextWeek = await customer.Evaluate(new EvaluateCustomer("week-2", program, Qualified(id), Now.AddDays(7)));

        Assert.Equal(DecisionOutcome.Rejected, nextWeek.Outcome);
        Assert.Equal("eligibility", nextWeek.RejectedBy);
        var offers = await customer.GetOffers();
        Assert.NotNull(offers);
        Assert.Equal(weekOne!.Offers.Select(offer => offer.OfferId).Order(), offers.Offers.Select(offer => offer.OfferId).Order());
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

    [Fact]
    public async Task Two_programs_on_the_same_schedule_keep_their_own_decisions_offers_and_index_rows()
    {
        var first = EngineClusterFixture.DemoProgram(1) with { ProgramId = "first-" + Guid.NewGuid().ToString("N")[..6] };
        var second = first with { ProgramId = "second-" + Guid.NewGuid().ToString("N")[..6] };
        var id = "two-" + Guid.NewGuid().ToString("N")[..10];
        var customer = fixture.Grains.GetGrain<ICustomerGrain>(id);
        const string sameRunId = "scheduled-20261123T0200Z";

        var byFirst = await customer.Evaluate(new EvaluateCustomer(sameRunId, first, Qualified(id), Now));
        var bySecond = await customer.Evaluate(new EvaluateCustomer(sameRunId, second, Qualified(id), Now));
        var firstAgain = await customer.Evaluate(new EvaluateCustomer(sameRunId, first, Qualified(id), Now.AddMinutes(5)));

        Assert.Equal(DecisionOutcome.Offered, byFirst.Outcome);
        Assert.Equal(first.ProgramId, byFirst.Candidate!.ProgramId);
        Assert.False(bySecond.FromStoredDecision, "The second program must not get the first program's decision for the same run id.");
        Assert.Equal(DecisionOutcome.Rejected, bySecond.Outcome);
        Assert.Null(bySecond.ReplacedCandidate);
        Assert.True(firstAgain.FromStoredDecision);
        Assert.Equal(byFirst.Candidate, firstAgain.Candidate);
        Assert.Equal("RECENT_OFFER", (await customer.GetDecision(second.ProgramId))!.FilterResult.ReasonCode);
        Assert.Equal(DecisionOutcome.Offered, (await customer.GetDecision(first.ProgramId))!.Outcome);
        var offers = await customer.GetOffers();
        Assert.All(offers!.Offers, offer => Assert.Equal(first.ProgramId, offer.ProgramId));
        Assert.Single(await customer.GetContacts(), contact => contact.RunId == sameRunId);
    }

    [Fact]
    public async Task Offers_of_several_programs_are_ranked_together_each_naming_its_program()
    {
        // The first program's offers live 200 days, so they are still live when the 90-day window lets the second offer.
        var first = EngineClusterFixture.DemoProgram(1) with { ProgramId = "rank-a-" + Guid.NewGuid().ToString("N")[..6], CandidateTtlDays = 200 };
        var second = EngineClusterFixture.DemoProgram(1) with { ProgramId = "rank-b-" + Guid.NewGuid().ToString("N")[..6] };
        var id = "ranked-" + Guid.NewGuid().ToString("N")[..10];
        var customer = fixture.Grains.GetGrain<ICustomerGrain>(id);

        await customer.Evaluate(new EvaluateCustomer("run-1", first, Qualified(id), Now.AddDays(-100)));
        await customer.Evaluate(new EvaluateCustomer("run-1", second, Qualified(id), Now));

        var offers = (await customer.GetOffers())!.Offers;
        Assert.Equal([first.ProgramId, second.ProgramId], offers.Select(offer => offer.ProgramId).Distinct().Order());
        Assert.Equal(Enumerable.Range(1, offers.Count), offers.Select(offer => offer.Rank));
        Assert.Equal(offers.Select(offer => offer.ExpectedValue).OrderDescending(), offers.Select(offer => offer.ExpectedValue));
    }

    [Fact]
    public async Task A_run_that_no_longer_qualifies_the_customer_withdraws_the_programs_offers_and_index_row_and_says_why()
    {
        var program = EngineClusterFixture.DemoProgram(1) with { ProgramId = "withdraw-" + Guid.NewGuid().ToString("N")[..6] };
        var id = "withdrawn-" + Guid.NewGuid().ToString("N")[..10];
        var customer = fixture.Grains.GetGrain<ICustomerGrain>(id);
        var offered = await customer.Evaluate(new EvaluateCustomer("week-1", program, Qualified(id), Now));
        var madeOffers = (await customer.GetOffers())!.Offers.Select(offer => offer.OfferId).Order().ToList();

        var optedOut = await customer.Evaluate(new EvaluateCustomer("week-2", program, Qualified(id) with { PrescreenOptOut = true }, Now.AddDays(7)));

        Assert.Equal(DecisionOutcome.Rejected, optedOut.Outcome);
        Assert.Equal(offered.Candidate, optedOut.ReplacedCandidate);
        Assert.Null(optedOut.Candidate);
        Assert.True(optedOut.OffersWithdrawn > 0);
        var offers = await customer.GetOffers();
        Assert.Empty(offers!.Offers);
        Assert.Equal(CustomerOffers.NoLiveOffers, offers.NoOfferReason);
        var withdrawal = Assert.Single(await customer.GetWithdrawals(program.ProgramId));
        Assert.Equal(("week-2", "PRESCREEN_OPT_OUT"), (withdrawal.RunId, withdrawal.ReasonCode));
        Assert.Equal(madeOffers, withdrawal.OfferIds.Order());
    }
}
