using LoanOffers.Delivery.Email;
using LoanOffers.Delivery.Smtp;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;

namespace LoanOffers.Delivery;

/// <summary>
/// Composes and sends offer emails: to the bank's relay when <c>Delivery:Smtp:Host</c> is set, else to the engine's own
/// SMTP server on loopback (<see cref="MailDrop"/>), which keeps every message as an <c>.eml</c> file.
/// </summary>
public sealed class OfferMailer : IAsyncDisposable
{
    private readonly OfferEmailComposer _composer;
    private readonly SmtpEmailSender _sender;

    public OfferMailer(IOptions<SmtpOptions> smtp, IOptions<DeliveryOptions> delivery)
    {
        var options = smtp.Value;
        _composer = new OfferEmailComposer(options.From, options.FromName);
        Links = new Uri(delivery.Value.LinkBaseUrl.TrimEnd('/') + "/");
        if (options.Host is { } host)
        {
            _sender = new SmtpEmailSender(host, options.Port, options.Security, options.User, options.Password, options.Connections);
        }
        else
        {
            MailDrop = LocalMailDrop.Start(Path.GetFullPath(delivery.Value.MailDropDirectory));
            _sender = new SmtpEmailSender("127.0.0.1", MailDrop.Port, SecureSocketOptions.None, user: null, password: null, options.Connections);
        }
    }

    /// <summary>The engine's own SMTP server, when no relay is configured.</summary>
    public LocalMailDrop? MailDrop { get; }

    /// <summary>Where the links of a message point.</summary>
    public Uri Links { get; }

    /// <summary>Sends one offer email; <paramref name="outboxKey"/> becomes its <c>Message-ID</c>.</summary>
    /// <exception cref="PermanentDeliveryException">The relay refused the recipient or the message for good (a 5xx answer).</exception>
    public async Task SendAsync(OfferEmail email, string outboxKey, CancellationToken cancellationToken = default)
    {
        try
        {
            await _sender.SendAsync(_composer.Compose(email, outboxKey), cancellationToken);
        }
        catch (SmtpCommandException refused) when ((int)refused.StatusCode >= 500
            && refused.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted)
        {
            throw new PermanentDeliveryException($"The SMTP relay refused the message: {(int)refused.StatusCode} {refused.Message}", refused);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _sender.DisposeAsync();
        if (MailDrop is not null)
        {
            await MailDrop.DisposeAsync();
        }
    }
}
