using LoanOffers.Server.Demo;

namespace LoanOffers.Server.Tests.Demo;

public sealed class DemoArgumentsTests
{
    [Fact]
    public void The_demo_book_defaults_to_ten_thousand_and_takes_any_size_up_to_its_limit()
    {
        Assert.Null(DemoCommand.CustomersError([], out var defaulted));
        Assert.Null(DemoCommand.CustomersError(["--fresh", "--customers", "100000"], out var largest));

        Assert.Equal(DemoCommand.DefaultCustomers, defaulted);
        Assert.Equal(DemoCommand.MaxCustomers, largest);
    }

    [Theory]
    [InlineData("200000")]
    [InlineData("0")]
    [InlineData("many")]
    public void A_book_the_demos_azurite_cannot_save_or_no_number_is_refused_saying_why(string value)
    {
        var error = DemoCommand.CustomersError(["--customers", value], out _);

        Assert.NotNull(error);
        Assert.Contains("between 1 and 100,000", error);
        Assert.Contains("512 MB", error);
    }

    [Fact]
    public void A_customers_switch_without_a_number_is_refused()
    {
        Assert.NotNull(DemoCommand.CustomersError(["--customers"], out _));
    }
}
