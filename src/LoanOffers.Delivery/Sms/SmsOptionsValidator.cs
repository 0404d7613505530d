using Microsoft.Extensions.Options;

namespace LoanOffers.Delivery.Sms;

public sealed class SmsOptionsValidator : IValidateOptions<SmsOptions>
{
    public ValidateOptionsResult Validate(string? name, SmsOptions options)
    {
        var errors = new List<string>();
        if (options.BaseUrl is { } baseUrl)
        {
            if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                errors.Add($"{SmsOptions.Section}:BaseUrl must be an absolute http(s) URL.");
            }
            else if (uri.Scheme == "http" && !uri.IsLoopback)
            {
                errors.Add($"{SmsOptions.Section}:BaseUrl must use https unless the provider is on loopback: the API key travels with every message.");
            }

            if (string.IsNullOrWhiteSpace(options.ApiKey))
            {
                errors.Add($"{SmsOptions.Section}:ApiKey is required with a BaseUrl.");
            }
        }

        if (string.IsNullOrWhiteSpace(options.From))
        {
            errors.Add($"{SmsOptions.Section}:From must name the sender number.");
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(2))
        {
            errors.Add($"{SmsOptions.Section}:Timeout must be between 0 and 2 minutes.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
