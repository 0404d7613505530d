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
