using LoanOffers.Delivery.Sms;
using Microsoft.Extensions.Options;

namespace LoanOffers.Delivery;

/// <summary>
/// Sends offer texts: to the bank's SMS provider when <c>Delivery:Sms:BaseUrl</c> is set, else to
/// <see cref="FakeSmsProvider"/> on loopback, which keeps each text as a file in <c>Delivery:SmsDropDirectory</c>.
/// </summary>
public sealed class OfferTexter : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly SmsSender _sender;

    public OfferTexter(IOptions<SmsOptions> sms, IOptions<DeliveryOptions> delivery)
    {
        var options = sms.Value;
        Uri baseUrl;
        if (options.BaseUrl is { } configured)
        {
            baseUrl = new Uri(configured.TrimEnd('/') + "/");
        }
        else
        {
            Fake = FakeSmsProvider.Start(Path.GetFullPath(delivery.Value.SmsDropDirectory));
            baseUrl = Fake.BaseUrl;
        }

        _http = new HttpClient { BaseAddress = baseUrl, Timeout = options.Timeout };
        _sender = new SmsSender(_http, options.AccountId ?? "local", options.ApiKey ?? "local-fake-provider", options.From);
    }

    /// <summary>The stand-in provider, when no real one is configured.</summary>
    public FakeSmsProvider? Fake { get; }

    /// <inheritdoc cref="SmsSender.SendAsync"/>
    public Task SendAsync(SmsMessage message, CancellationToken cancellationToken = default) => _sender.SendAsync(message, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (Fake is not null)
        {
            await Fake.DisposeAsync();
        }
    }
}
