using System.Buffers;
using System.Net;
using System.Net.Sockets;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace LoanOffers.Delivery.Smtp;

/// <summary>
/// An SMTP server on loopback that keeps every message it receives as an <c>.eml</c> file in <see cref="Directory"/>,
/// so the demo (which has no bank relay) sends real mail that a newcomer can open. A message sent again under the same
/// <c>Message-ID</c> lands in the same file, so the folder shows what arrived, once per message.
/// </summary>
public sealed class LocalMailDrop : IAsyncDisposable
{
    private readonly SmtpServer.SmtpServer _server;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _running;
    private readonly FileMessageStore _store;

    private LocalMailDrop(string directory, int port)
    {
        Directory = directory;
        Port = port;
        System.IO.Directory.CreateDirectory(directory);
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        _store = new FileMessageStore(directory);
        services.Add(_store);
        _server = new SmtpServer.SmtpServer(options, services);
        _running = _server.StartAsync(_stopping.Token);
    }

    public string Directory { get; }

    public int Port { get; }

    /// <summary>Messages received since start, each time it was sent.</summary>
    public int Received => _store.Received;

    /// <summary>Messages received again under a <c>Message-ID</c> already kept: a sender's retries after a lost answer.</summary>
    public int Repeated => _store.Repeated;

    /// <summary>Starts the server on a free loopback port (or <paramref name="port"/>), writing to <paramref name="directory"/>.</summary>
    public static LocalMailDrop Start(string directory, int? port = null) => new(directory, port ?? FreeLoopbackPort());

    /// <summary>Every message received so far, oldest first.</summary>
    public IReadOnlyList<string> Messages() =>
        [.. new DirectoryInfo(Directory).GetFiles("*.eml").OrderBy(file => file.CreationTimeUtc).Select(file => file.FullName)];

    public async ValueTask DisposeAsync()
    {
        _server.Shutdown();
        await _stopping.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class FileMessageStore(string directory) : MessageStore
    {
        private int _received;
        private int _repeated;

        public int Received => Volatile.Read(ref _received);

        public int Repeated => Volatile.Read(ref _repeated);

        public override async Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            try
            {
                return await KeepAsync(buffer, cancellationToken);
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                // A message the drop could not keep is refused as a local, passing error (451), so the sender tries again
                // rather than counting it as delivered or bounced.
                return new SmtpResponse(SmtpReplyCode.Error, $"Not kept: {failure.GetType().Name}: {failure.Message}");
            }
        }

        private async Task<SmtpResponse> KeepAsync(ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var message = await MimeKit.MimeMessage.LoadAsync(new MemoryStream(buffer.ToArray()), cancellationToken);
            var name = string.Concat((message.MessageId ?? Guid.NewGuid().ToString("N")).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_'));
            var path = Path.Combine(directory, name + ".eml");
            var temporary = $"{path}.{Guid.NewGuid():N}.partial";
            await using (var file = File.Create(temporary))
            {
                foreach (var segment in buffer)
                {
                    await file.WriteAsync(segment, cancellationToken);
                }
            }

            if (File.Exists(path))
            {
                Interlocked.Increment(ref _repeated);
            }

            File.Move(temporary, path, overwrite: true);
            Interlocked.Increment(ref _received);
            return SmtpResponse.Ok;
        }
    }
}
