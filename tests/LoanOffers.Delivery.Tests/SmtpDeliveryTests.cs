using LoanOffers.Delivery.Email;
using LoanOffers.Delivery.Smtp;
using MailKit.Security;
using MimeKit;

namespace LoanOffers.Delivery.Tests;

/// <summary>MailKit against a real SMTP server on loopback: what is sent arrives whole, and a message sent twice is kept once.</summary>
public sealed class SmtpDeliveryTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("loanoffers-mail").FullName;
    private LocalMailDrop _drop = null!;

    public Task InitializeAsync()
    {
        _drop = LocalMailDrop.Start(_directory);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _drop.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Messages_sent_over_several_connections_arrive_whole_once_each()
    {
        var composer = new OfferEmailComposer("offers@bank.example", "Example Bank");
        await using var sender = new SmtpEmailSender("127.0.0.1", _drop.Port, SecureSocketOptions.None, user: null, password: null, connections: 3);
        var keys = Enumerable.Range(1, 40).Select(i => $"p1.run-1.C{i:D4}.email").ToList();

        await Task.WhenAll(keys.Select(key => sender.SendAsync(composer.Compose(OfferEmailTests.Email() with { To = $"{key[..^6]}@example.com" }, key))));
        await sender.SendAsync(composer.Compose(OfferEmailTests.Email(), keys[0]));

        var received = await Task.WhenAll(_drop.Messages().Select(path => MimeMessage.LoadAsync(path)));
        Assert.Equal(keys.Select(key => key + "@bank.example").Order(), received.Select(message => message.MessageId).Order());
        Assert.All(received, message => Assert.Equal("You're Pre-Approved: $50,000 at 5.5% APR", message.Subject));
        Assert.All(received, message => Assert.Contains("No impact on credit score", message.TextBody));
    }
}
