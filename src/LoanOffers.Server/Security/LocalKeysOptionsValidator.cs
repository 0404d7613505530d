using Microsoft.Extensions.Options;

namespace LoanOffers.Server.Security;

public sealed class LocalKeysOptionsValidator : IValidateOptions<LocalKeysOptions>
{
    public ValidateOptionsResult Validate(string? name, LocalKeysOptions options) =>
        options.Enabled && string.IsNullOrWhiteSpace(options.Directory)
            ? ValidateOptionsResult.Fail("LocalKeys:Directory is required when LocalKeys:Enabled is true.")
            : ValidateOptionsResult.Success;
}
