namespace LoanOffers.Delivery;

/// <summary>How campaigns deliver (section <c>Delivery</c>).</summary>
public sealed class DeliveryOptions
{
    public const string Section = "Delivery";

    /// <summary>Where the engine's own SMTP server keeps what it receives when no relay is configured.</summary>
    public string MailDropDirectory { get; set; } = Path.Combine("azurite", "mail");

    /// <summary>The bank's offer site: the links in a message point under it.</summary>
    public string LinkBaseUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>At most one offer message per customer per channel in this many days, across all programs.</summary>
    public int FrequencyDays { get; set; } = 7;

    /// <summary>Attempts before a message that keeps failing is parked.</summary>
    public int MaxAttempts { get; set; } = 5;
}
