namespace LoanOffers.Delivery.Sms;

/// <summary>
/// The bank's SMS provider (section <c>Delivery:Sms</c>): its HTTP API's base URL and credentials. Without a
/// <see cref="BaseUrl"/> the engine sends to <see cref="FakeSmsProvider"/> on loopback, which keeps each text as a file.
/// </summary>
public sealed class SmsOptions
{
    public const string Section = "Delivery:Sms";

    /// <summary>The provider's API root; messages are posted to <c>{BaseUrl}/messages</c>.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>The account the API key belongs to.</summary>
    public string? AccountId { get; set; }

    /// <summary>From configuration or the environment (a key vault in a bank's deployment), never from the repository.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The sender number or short code.</summary>
    public string From { get; set; } = "+15550100";

    /// <summary>How long one request to the provider may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}
