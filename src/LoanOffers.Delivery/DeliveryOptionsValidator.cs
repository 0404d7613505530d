using Microsoft.Extensions.Options;

namespace LoanOffers.Delivery;

public sealed class DeliveryOptionsValidator : IValidateOptions<DeliveryOptions>
{
    public ValidateOptionsResult Validate(string? name, DeliveryOptions options)
    {
        var errors = new List<string>();
        if (!Uri.TryCreate(options.LinkBaseUrl, UriKind.Absolute, out var links) || links.Scheme is not ("http" or "https"))
        {
            errors.Add($"{DeliveryOptions.Section}:LinkBaseUrl must be an absolute http(s) URL.");
        }

        if (options.FrequencyDays is < 0 or > 365)
        {
            errors.Add($"{DeliveryOptions.Section}:FrequencyDays must be 0-365 (got {options.FrequencyDays}).");
        }

        if (options.MaxAttempts is < 1 or > 100)
        {
            errors.Add($"{DeliveryOptions.Section}:MaxAttempts must be 1-100 (got {options.MaxAttempts}).");
        }

        if (string.IsNullOrWhiteSpace(options.MailDropDirectory))
        {
            errors.Add($"{DeliveryOptions.Section}:MailDropDirectory must name a folder.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
