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

        if (string.IsNullOrWhiteSpace(options.SmsDropDirectory))
        {
            errors.Add($"{DeliveryOptions.Section}:SmsDropDirectory must name a folder.");
        }

        if (Tracking.DeliveryKeysFactory.TryDecode(options.SigningKey) is not { Length: >= Tracking.DeliveryKeys.MinimumSecretBytes })
        {
            errors.Add($"{DeliveryOptions.Section}:SigningKey must be base64 of at least {Tracking.DeliveryKeys.MinimumSecretBytes} bytes (or turn local keys on).");
        }

        foreach (var (key, value) in new[] { ("QuietHoursStart", options.QuietHoursStart), ("QuietHoursEnd", options.QuietHoursEnd) })
        {
            if (!string.IsNullOrEmpty(value) && !TimeOnly.TryParseExact(value, "HH:mm", out _))
            {
                errors.Add($"{DeliveryOptions.Section}:{key} must be a time of day as HH:mm (got '{value}').");
            }
        }

        if (string.IsNullOrEmpty(options.QuietHoursStart) != string.IsNullOrEmpty(options.QuietHoursEnd))
        {
            errors.Add($"{DeliveryOptions.Section}:QuietHoursStart and QuietHoursEnd are set together or not at all.");
        }

        if (options.SendWindow <= TimeSpan.Zero || options.SendWindow > TimeSpan.FromHours(24))
        {
            errors.Add($"{DeliveryOptions.Section}:SendWindow must be more than 0 and at most 24 hours.");
        }

        if (options.MaxMessagesPerOffer is < 1 or > 10)
        {
            errors.Add($"{DeliveryOptions.Section}:MaxMessagesPerOffer must be 1-10 (got {options.MaxMessagesPerOffer}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
