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
    public void A_feature_no_one_supplies_or_a_short_destination_throws_rather_than_reading_zero()
    {
        var missing = Assert.Throws<MissingFeatureException>(() => ModelFeatures.Extract(TestData.Qualified(), ["shoe_size"], new float[1]));
        Assert.Equal("shoe_size", missing.Feature);
        Assert.Throws<ArgumentException>(() => ModelFeatures.Extract(TestData.Qualified(), ModelFeatures.Names, new float[3]));
    }

    [Fact]
    public void The_connectors_own_columns_are_read_by_name_through_their_schema_beside_the_core_fields()
    {
        var schema = new FeatureSchema(["bureau_inquiries_6m", "card_utilisation"]);
        var profile = TestData.Qualified() with { Extra = new ExtraFeatures(schema.Id, [3f, 0.42f]) };
        Span<float> features = stackalloc float[3];

        ModelFeatures.Extract(profile, schema, ["card_utilisation", ModelFeatures.CreditScore, "bureau_inquiries_6m"], features);

        Assert.Equal([0.42f, 760f, 3f], features.ToArray());
        Assert.Equal(["shoe_size"], ModelFeatures.Unsupplied(["card_utilisation", ModelFeatures.Income, "shoe_size"], schema));
        Assert.Throws<MissingFeatureException>(() => ModelFeatures.Extract(profile, new FeatureSchema(["card_utilisation"]), ["card_utilisation"], new float[1]));
        Assert.Throws<MissingFeatureException>(() => ModelFeatures.Extract(TestData.Qualified(), schema, ["card_utilisation"], new float[1]));
    }

    [Fact]
    public void A_schemas_id_follows_its_names_and_their_order_alone()
    {
        Assert.Equal(new FeatureSchema(["a", "b"]).Id, new FeatureSchema(["a", "b"]).Id);
        Assert.NotEqual(new FeatureSchema(["a", "b"]).Id, new FeatureSchema(["b", "a"]).Id);
        Assert.Throws<ArgumentException>(() => new FeatureSchema(["a", "a"]));
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
