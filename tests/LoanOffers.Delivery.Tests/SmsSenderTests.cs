using LoanOffers.Delivery.Sms;

namespace LoanOffers.Delivery.Tests;

/// <summary>The SMS adapter against the fake provider, a real HTTP server on loopback that records what it receives.</summary>
public sealed class SmsSenderTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "loanoffers-sms-" + Guid.NewGuid().ToString("N")[..8]);
    private FakeSmsProvider _provider = null!;
    private HttpClient _http = null!;

    public Task InitializeAsync()
    {
        _provider = FakeSmsProvider.Start(_directory);
        _http = new HttpClient { BaseAddress = _provider.BaseUrl };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _provider.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_text_carries_its_credentials_and_idempotency_key_and_a_resend_is_sent_once()
    {
        var sender = new SmsSender(_http, "acct-1", "key-123", "+15550100");
        var message = new SmsMessage("+15551234567", "You're pre-approved for a $50,000 loan at 5.5% APR. Apply now: https://b.example/t/x/click", "loan-offers.run-1.C-1.sms");

        await sender.SendAsync(message);
        await sender.SendAsync(message);

        Assert.Equal(2, _provider.Requests.Count);
        var text = Assert.Single(_provider.Texts.Values);
        Assert.Equal(("loan-offers.run-1.C-1.sms", "Bearer key-123", "+15551234567", message.Body), (text.IdempotencyKey, text.Authorization, text.To, text.Body));
        Assert.Single(Directory.GetFiles(_directory, "*.json"));
    }

    [Fact]
    public async Task A_number_the_provider_refuses_is_a_permanent_failure_and_a_wrong_api_address_is_left_to_retries()
    {
        var sender = new SmsSender(_http, "acct-1", "key-123", "+15550100");
        using var broken = new HttpClient { BaseAddress = new Uri(_provider.BaseUrl, "no-such-api/") };
        var elsewhere = new SmsSender(broken, "acct-1", "key-123", "+15550100");

        await Assert.ThrowsAsync<PermanentDeliveryException>(() => sender.SendAsync(new SmsMessage(FakeSmsProvider.InvalidNumber, "hi", "k-invalid")));
        var misconfigured = await Assert.ThrowsAsync<HttpRequestException>(() => elsewhere.SendAsync(new SmsMessage("+15551234567", "hi", "k-404")));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, misconfigured.StatusCode);
        Assert.Empty(_provider.Texts);
    }
}
