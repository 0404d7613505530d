namespace LoanOffers.Domain.Tests;

public class ModelFeaturesTests
{
    [Fact]
    public void Extracts_the_seed_features_in_the_order_asked()
    {
        var profile = TestData.Qualified() with { LatePaymentsLast12Months = 2, TransactionPattern = TransactionPattern.Declining };
        Span<float> features = stackalloc float[8];

        ModelFeatures.Extract(profile, ModelFeatures.Names, features);

        Assert.Equal([760f, 120_000f, 0.2f, 10f, 72f, 15_000f, 2f, 0.15f], features.ToArray());
    }

    [Fact]
    public void Follows_the_model_config_feature_list()
    {
        var model = TestData.DemoProgram.ScoringModels[1];
        Span<float> features = stackalloc float[4];

        ModelFeatures.Extract(TestData.Qualified(), model.Features, features);

        Assert.Equal([72f, 15_000f, 0f, 0.15f], features.ToArray());
    }

    [Fact]
    public void Unknown_feature_or_short_destination_throws()
    {
        Assert.Throws<ArgumentException>(() => ModelFeatures.Extract(TestData.Qualified(), ["shoe_size"], new float[1]));
        Assert.Throws<ArgumentException>(() => ModelFeatures.Extract(TestData.Qualified(), ModelFeatures.Names, new float[3]));
    }
}

public class CustomerProfileValidatorTests
{
    [Fact]
    public void Reports_each_impossible_value_by_field()
    {
        var profile = TestData.Qualified() with { CreditScore = 299, AnnualIncome = -1m, DebtToIncome = 5.01m, State = "Wa", SavingsRate = 1.5m };

        var errors = CustomerProfileValidator.Validate(profile);

        Assert.Equal(["creditScore", "annualIncome", "debtToIncome", "savingsRate", "state"], errors.Select(e => e.Field));
        Assert.Empty(CustomerProfileValidator.Validate(TestData.Qualified() with { CreditScore = 300, DebtToIncome = 5m }));
    }
}
