namespace LoanOffers.Delivery;

/// <summary>How campaigns deliver (section <c>Delivery</c>).</summary>
public sealed class DeliveryOptions
{
    public const string Section = "Delivery";

    /// <summary>
    /// Where the engine's own SMTP server keeps what it receives when no relay is configured; a relative path is read
    /// from the folder of the engine's local Azurite data.
    /// </summary>
    public string MailDropDirectory { get; set; } = "mail";

    /// <summary>Where the fake SMS provider keeps the texts it receives when no provider is configured; relative as above.</summary>
    public string SmsDropDirectory { get; set; } = "sms";

    /// <summary>
    /// The secret (base64, at least 32 bytes) tracking links are signed with and suppressed addresses hashed under;
    /// from configuration or a key vault, or the engine's local key when local keys are on.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>Quiet hours in each customer's local time, as <c>HH:mm</c>; no offer message goes out between them. Empty: none.</summary>
    public string? QuietHoursStart { get; set; } = "21:00";

    public string? QuietHoursEnd { get; set; } = "08:00";

    /// <summary>How long after a channel's <c>sendTime</c> its messages may still go out that day.</summary>
    public TimeSpan SendWindow { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Messages (email, SMS) at most per offer; when the policy allows fewer than a program's channels, their priority decides.</summary>
    public int MaxMessagesPerOffer { get; set; } = 2;

    /// <summary>Start each completed run's campaign, sending at the channels' send times.</summary>
    public bool StartAfterRun { get; set; } = true;

    /// <summary>The bank's offer site: the links in a message point under it.</summary>
    public string LinkBaseUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>At most one offer message per customer per channel in this many days, across all programs.</summary>
    public int FrequencyDays { get; set; } = 7;

    /// <summary>Attempts before a message that keeps failing is parked.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The quiet hours, or null when none are set.</summary>
    public LoanOffers.Domain.QuietHours? QuietHours =>
        TimeOnly.TryParseExact(QuietHoursStart, "HH:mm", out var start) && TimeOnly.TryParseExact(QuietHoursEnd, "HH:mm", out var end) && start != end
            ? new LoanOffers.Domain.QuietHours(start, end)
            : null;
}
