using LoanOffers.Delivery.Smtp;
using MailKit.Security;

namespace LoanOffers.Delivery.Tests;

public sealed class SmtpOptionsValidatorTests
{
    private static readonly SmtpOptionsValidator Validator = new();

    [Fact]
    public void The_defaults_and_a_secured_relay_with_credentials_are_valid()
    {
        Assert.True(Validator.Validate(null, new SmtpOptions()).Succeeded);
        Assert.True(Validator.Validate(null, new SmtpOptions { Host = "smtp.bank.example", User = "offers", Password = "from-the-vault" }).Succeeded);
    }

    [Theory]
    [InlineData(0, "offers@bank.example", "u", "p", SecureSocketOptions.StartTls, 4, "Port")]
    [InlineData(587, "not an address", null, null, SecureSocketOptions.StartTls, 4, "From")]
    [InlineData(587, "offers@bank.example", "u", null, SecureSocketOptions.StartTls, 4, "Password")]
    [InlineData(587, "offers@bank.example", "u", "p", SecureSocketOptions.None, 4, "in clear")]
    [InlineData(587, "offers@bank.example", null, null, SecureSocketOptions.StartTls, 0, "Connections")]
    public void A_setting_that_cannot_work_is_refused_by_name(int port, string from, string? user, string? password, SecureSocketOptions security, int connections, string named)
    {
        var result = Validator.Validate(null, new SmtpOptions
        {
            Host = "smtp.bank.example", Port = port, From = from, User = user, Password = password, Security = security, Connections = connections,
        });

        Assert.True(result.Failed);
        Assert.Contains(named, result.FailureMessage);
    }
}
