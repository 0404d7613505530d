using MailKit.Security;

namespace LoanOffers.Delivery.Smtp;

/// <summary>
/// The bank's SMTP relay (section <c>Delivery:Smtp</c>). Without a <see cref="Host"/> the engine keeps the mail on
/// this machine: it runs its own SMTP server on loopback and writes what it receives to a folder of <c>.eml</c> files.
/// </summary>
public sealed class SmtpOptions
{
    public const string Section = "Delivery:Smtp";

    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    /// <summary>How the connection is secured; <c>StartTls</c> by default, <c>None</c> only for a relay on loopback.</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.StartTls;

    public string? User { get; set; }

    /// <summary>From configuration or the environment (a key vault in a bank's deployment), never from the repository.</summary>
    public string? Password { get; set; }

    /// <summary>The sender address; its domain also names the messages' <c>Message-ID</c>s.</summary>
    public string From { get; set; } = "offers@bank.example";

    public string FromName { get; set; } = "Your Bank";

    /// <summary>SMTP connections used at once.</summary>
    public int Connections { get; set; } = 4;
}
