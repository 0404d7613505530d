using Microsoft.Extensions.Options;

namespace LoanOffers.Server.Security;

public sealed class RateLimitsOptionsValidator : IValidateOptions<RateLimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitsOptions options)
    {
        var errors = new List<string>();
        foreach (var (path, budget) in new[]
        {
            ("OfferReads:PerSubject", options.OfferReads.PerSubject), ("OfferReads:PerAddress", options.OfferReads.PerAddress),
            ("AdminWrites:PerSubject", options.AdminWrites.PerSubject), ("AdminWrites:PerAddress", options.AdminWrites.PerAddress),
        })
        {
            if (budget.PermitsPerSecond < 1 || budget.Burst < 1)
            {
                errors.Add($"RateLimits:{path} needs PermitsPerSecond and Burst of at least 1.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
