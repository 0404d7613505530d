namespace LoanOffers.Grains.Tests;

public sealed class EngineOptionsValidatorTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.True(new EngineOptionsValidator().Validate(null, new EngineOptions()).Succeeded);
    }

    [Fact]
    public void Every_unworkable_setting_is_named()
    {
        var result = new EngineOptionsValidator().Validate(null, new EngineOptions
        {
            PartitionConcurrency = 0,
            EvaluationsPerPartition = 0,
            ScheduleCheckPeriod = TimeSpan.FromSeconds(5),
            StorageOutageLimit = TimeSpan.Zero,
        });

        Assert.True(result.Failed);
        Assert.Contains("PartitionConcurrency", result.FailureMessage);
        Assert.Contains("EvaluationsPerPartition", result.FailureMessage);
        Assert.Contains("ScheduleCheckPeriod", result.FailureMessage);
        Assert.Contains("StorageOutageLimit", result.FailureMessage);
    }
}
