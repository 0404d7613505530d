using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace LoanOffers.Delivery.Sms;

/// <summary>A request the fake provider received: its headers of interest and its JSON body.</summary>
public sealed record SmsProviderRequest(string? IdempotencyKey, string? Authorization, string? To, string? Body);

/// <summary>
/// A fake SMS provider, because a real one cannot be reached from here: an HTTP server on loopback that accepts
/// <c>POST /messages</c> as <see cref="SmsSender"/> sends it, records every request, keeps one text per idempotency key
/// as a JSON file in its folder (as a provider sends a retried message once), and refuses a number of
/// <see cref="InvalidNumber"/> with 422. The demo sends its texts here, and tests read what arrived.
/// </summary>
public sealed class FakeSmsProvider : IAsyncDisposable
{
    /// <summary>A number the fake refuses as a real provider refuses one that does not exist.</summary>
    public const string InvalidNumber = "+15550000000";

    private static readonly JsonSerializerOptions Readable = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<SmsProviderRequest> _requests = new();
    private readonly ConcurrentDictionary<string, SmsProviderRequest> _texts = new(StringComparer.Ordinal);
    private readonly Task _serving;

    private FakeSmsProvider(string directory, int port)
    {
        Directory = directory;
        Port = port;
        System.IO.Directory.CreateDirectory(directory);
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public string Directory { get; }

    public int Port { get; }

    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");

    /// <summary>Every request received, resends included.</summary>
    public IReadOnlyCollection<SmsProviderRequest> Requests => _requests;

    /// <summary>The texts accepted, one per idempotency key.</summary>
    public IReadOnlyDictionary<string, SmsProviderRequest> Texts => _texts;

    public static FakeSmsProvider Start(string directory)
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new FakeSmsProvider(directory, port);
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception stopped) when (stopped is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                await AnswerAsync(context);
            }
            catch (Exception broken) when (broken is JsonException or HttpListenerException or IOException)
            {
                // A malformed request or a client gone away costs that request only.
            }
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        using var response = context.Response;
        if (context.Request.HttpMethod != "POST" || context.Request.Url?.AbsolutePath != "/messages")
        {
            response.StatusCode = 404;
            return;
        }

        using var body = await JsonDocument.ParseAsync(context.Request.InputStream, new JsonDocumentOptions { MaxDepth = 4 });
        var request = new SmsProviderRequest(
            context.Request.Headers["Idempotency-Key"],
            context.Request.Headers["Authorization"],
            body.RootElement.TryGetProperty("to", out var to) ? to.GetString() : null,
            body.RootElement.TryGetProperty("body", out var text) ? text.GetString() : null);
        _requests.Enqueue(request);
        if (request.IdempotencyKey is not { Length: > 0 } key || request.To is null || request.To == InvalidNumber)
        {
            response.StatusCode = 422;
            return;
        }

        if (_texts.TryAdd(key, request))
        {
            var file = Path.Combine(Directory, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32] + ".json");
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new { idempotencyKey = key, to = request.To, body = request.Body }, Readable));
        }

        response.StatusCode = 202;
        await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes($"{{\"id\":\"{_texts.Count}\"}}"));
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }
}
