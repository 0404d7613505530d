using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace LoanOffers.Delivery.Smtp;

public sealed class SmtpOptionsValidator : IValidateOptions<SmtpOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpOptions options)
    {
        var errors = new List<string>();
        if (options.Port is < 1 or > 65535)
        {
            errors.Add($"{SmtpOptions.Section}:Port must be 1-65535 (got {options.Port}).");
        }

        if (options.User is not null && string.IsNullOrEmpty(options.Password))
        {
            errors.Add($"{SmtpOptions.Section}:User is set without a Password.");
        }

        if (options.Host is not null && options.User is not null && options.Security == SecureSocketOptions.None)
        {
            errors.Add($"{SmtpOptions.Section}:Security None would send the password in clear; use StartTls or SslOnConnect.");
        }

        if (!MailboxAddress.TryParse(options.From, out var from) || !from.Address.Contains('@'))
        {
            errors.Add($"{SmtpOptions.Section}:From is not an email address.");
        }

        if (options.Connections is < 1 or > 64)
        {
            errors.Add($"{SmtpOptions.Section}:Connections must be 1-64 (got {options.Connections}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
