using System.Collections.Concurrent;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace LoanOffers.Delivery.Smtp;

/// <summary>
/// Sends messages with MailKit over up to <c>connections</c> SMTP connections at once, each kept open and reused
/// (a connection per message would cost a TLS handshake and a login each). A connection that fails is dropped and the
/// failure returned to the caller, which decides on retrying.
/// </summary>
public sealed class SmtpEmailSender(string host, int port, SecureSocketOptions security, string? user, string? password, int connections) : IAsyncDisposable
{
    private readonly SemaphoreSlim _slots = new(connections, connections);
    private readonly ConcurrentBag<SmtpClient> _idle = [];

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken = default)
    {
        await _slots.WaitAsync(cancellationToken);
        var client = _idle.TryTake(out var open) ? open : new SmtpClient();
        try
        {
            if (!client.IsConnected)
            {
                await client.ConnectAsync(host, port, security, cancellationToken);
                if (user is not null)
                {
                    await client.AuthenticateAsync(user, password ?? string.Empty, cancellationToken);
                }
            }

            await client.SendAsync(message, cancellationToken);
            _idle.Add(client);
        }
        catch
        {
            client.Dispose();
            throw;
        }
        finally
        {
            _slots.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryTake(out var client))
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync(quit: true);
            }

            client.Dispose();
        }

        _slots.Dispose();
    }
}
