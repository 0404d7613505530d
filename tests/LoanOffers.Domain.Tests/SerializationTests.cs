using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace LoanOffers.Domain.Tests;

public class SerializationTests
{
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    private static T RoundTrip<T>(T value)
        where T : class => Serializer.Deserialize<T>(Serializer.SerializeToArray(value))!;

    [Fact]
    public void Program_config_round_trips_through_the_orleans_serializer()
    {
        var copy = RoundTrip(TestData.DemoProgram);

        Assert.Equal(TestData.DemoProgram.ProgramId, copy.ProgramId);
        Assert.Equal(TestData.DemoProgram.LoanOfferStrategy.Segments, copy.LoanOfferStrategy.Segments);
        Assert.Equal(TestData.DemoProgram.FilterChain[1].Parameters, copy.FilterChain[1].Parameters);
        Assert.Equal("42", copy.DataConnectors[0].Config["seed"]);
        Assert.Equal(TestData.DemoProgram.Channels[2].Config, copy.Channels[2].Config);
    }

    [Fact]
    public void Decision_round_trips_through_the_orleans_serializer()
    {
        var decision = CustomerEvaluator.Evaluate(new EvaluationInput
        {
            Profile = TestData.Qualified(),
            Program = TestData.DemoProgram,
            Scores = new ModelScores(new ModelScore("a", "1", 0.9), new ModelScore("d", "1", 0.01)),
            Now = TestData.Now,
            RunId = "run",
        });

        var copy = RoundTrip(decision);

        Assert.Equal(decision.Offers, copy.Offers);
        Assert.Equal(decision.Risk, copy.Risk);
        Assert.Equal(decision.Behavior, copy.Behavior);
        Assert.Equal(decision.FilterResult, copy.FilterResult);
        Assert.Equal(decision.Reasons, copy.Reasons);
        Assert.Equal(TestData.Qualified(), RoundTrip(TestData.Qualified()));
    }
}
