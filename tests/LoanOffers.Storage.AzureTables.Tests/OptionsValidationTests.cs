using Orleans.Runtime;

namespace LoanOffers.Storage.AzureTables.Tests;

public sealed class OptionsValidationTests
{
    [Fact]
    public void Grain_storage_options_name_every_problem()
    {
        var options = new PartitionedTableGrainStorageOptions { TableName = "9bad-name", TableCount = 0, MaxBatchSize = 101 };

        var failure = Assert.Throws<OrleansConfigurationException>(() => new PartitionedTableGrainStorageOptionsValidator(options, "customers").ValidateConfiguration());

        Assert.Contains("ConnectionString", failure.Message);
        Assert.Contains("TableCount", failure.Message);
        Assert.Contains("MaxBatchSize", failure.Message);
        Assert.Contains("'customers'", failure.Message);
    }

    [Fact]
    public void A_previous_layout_on_the_same_tables_is_refused()
    {
        var options = new PartitionedTableGrainStorageOptions
        {
            ConnectionString = "UseDevelopmentStorage=true", TableName = "Customers", TableCount = 16, PreviousLayout = new GrainStateTables("Customers", 4, 4),
        };

        var failure = Assert.Throws<OrleansConfigurationException>(() => new PartitionedTableGrainStorageOptionsValidator(options, "customers").ValidateConfiguration());

        Assert.Contains("PreviousLayout", failure.Message);
    }

    [Fact]
    public void Candidate_index_options_name_every_problem()
    {
        var result = new CandidateIndexOptionsValidator().Validate(null, new CandidateIndexOptions { TablePrefix = "9bad", PageCount = 0, CustomerGrainType = "" });

        Assert.True(result.Failed);
        Assert.Contains("ConnectionString", result.FailureMessage);
        Assert.Contains("PageCount", result.FailureMessage);
        Assert.Contains("CustomerGrainType", result.FailureMessage);
        Assert.Contains("'9bad'", result.FailureMessage);
    }

    [Fact]
    public void Valid_options_pass()
    {
        new PartitionedTableGrainStorageOptionsValidator(new PartitionedTableGrainStorageOptions { ConnectionString = "UseDevelopmentStorage=true" }, "customers").ValidateConfiguration();
    }

    [Theory]
    [InlineData("customer/C1", "customer%2FC1")]
    [InlineData("a|b#c?d\\e%f", "a%7Cb%23c%3Fd%5Ce%25f")]
    [InlineData("plain-id_1.2", "plain-id_1.2")]
    public void Keys_escape_every_character_tables_forbid(string value, string escaped) => Assert.Equal(escaped, TableNames.EscapeKey(value));
}
