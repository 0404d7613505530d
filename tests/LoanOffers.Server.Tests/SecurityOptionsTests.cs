using LoanOffers.Server.Security;
using LoanOffers.Storage.AzureTables;
using Microsoft.Extensions.Options;

namespace LoanOffers.Server.Tests;

/// <summary>An engine that could not tell a real token from a forged one, or would store personal data in plain form, does not start.</summary>
public sealed class SecurityOptionsTests
{
    [Fact]
    public void Without_local_keys_the_identity_provider_issuer_and_audience_are_required()
    {
        var validator = new AuthOptionsValidator(Options.Create(new LocalKeysOptions { Enabled = false }));

        var result = validator.Validate(null, new AuthOptions { SigningKeys = ["c2hvcnQ="] });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, failure => failure.StartsWith("Auth:Issuer", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, failure => failure.StartsWith("Auth:Audience", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, failure => failure.StartsWith("Auth:SigningKeys:0", StringComparison.Ordinal));
    }

    [Fact]
    public void An_identity_provider_with_issuer_and_audience_is_enough()
    {
        var validator = new AuthOptionsValidator(Options.Create(new LocalKeysOptions { Enabled = false }));

        var result = validator.Validate(null, new AuthOptions { Authority = "https://login.bank.example/", Issuer = "https://login.bank.example/", Audience = "loanoffers-api" });

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void Personal_data_keys_must_exist_be_32_bytes_and_include_the_active_one()
    {
        var validator = new StateEncryptionOptionsValidator();

        var none = validator.Validate(null, new StateEncryptionOptions());
        var wrong = validator.Validate(null, new StateEncryptionOptions { ActiveKeyId = "k2", Keys = { ["k1"] = Convert.ToBase64String(new byte[16]) } });
        var right = validator.Validate(null, new StateEncryptionOptions { ActiveKeyId = "k1", Keys = { ["k1"] = Convert.ToBase64String(new byte[32]) } });

        Assert.Contains(none.Failures!, failure => failure.StartsWith("Encryption:Keys is empty", StringComparison.Ordinal));
        Assert.Contains(wrong.Failures!, failure => failure.Contains("Encryption:Keys:k1 must be base64 of exactly 32 bytes", StringComparison.Ordinal));
        Assert.Contains(wrong.Failures!, failure => failure.Contains("'k2' is not one of", StringComparison.Ordinal));
        Assert.True(right.Succeeded);
    }

    [Fact]
    public void Rate_budgets_must_allow_at_least_one_request()
    {
        var options = new RateLimitsOptions();
        options.AdminWrites.PerAddress.Burst = 0;

        var result = new RateLimitsOptionsValidator().Validate(null, options);

        Assert.Equal(["RateLimits:AdminWrites:PerAddress needs PermitsPerSecond and Burst of at least 1."], result.Failures);
    }
}
