using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using LoanOffers.Server.Security;
using LoanOffers.Storage.AzureTables;

namespace LoanOffers.Testing;

/// <summary>
/// The real engine (silo + API) in a process of its own, built next to the tests, joining a cluster on Azure Table
/// membership. A test can kill it outright, as a lost machine would be.
/// </summary>
public sealed class EngineProcess : IAsyncDisposable
{
    private static readonly string ServerAssembly = Path.Combine(AppContext.BaseDirectory, "LoanOffers.Server.dll");

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private EngineProcess(string name, Process process, string baseUrl, int siloPort)
    {
        Name = name;
        _process = process;
        BaseUrl = baseUrl;
        SiloPort = siloPort;
    }

    public string Name { get; }

    public string BaseUrl { get; }

    /// <summary>The silo's port: its silo address reads <c>S127.0.0.1:{SiloPort}:…</c> in the cluster's logs.</summary>
    public int SiloPort { get; }

    public IEnumerable<string> Output => _output;

    public bool HasExited => _process.HasExited;

    public int ProcessId => _process.Id;

    /// <summary>CPU time the engine has used so far.</summary>
    public TimeSpan ProcessorTime => _process.TotalProcessorTime;

    /// <summary>The most memory the engine's process has held, in MB.</summary>
    public double PeakWorkingSetMb
    {
        get
        {
            _process.Refresh();
            return _process.PeakWorkingSet64 / (1024.0 * 1024.0);
        }
    }

    /// <summary>
    /// Starts an engine in the given cluster (plus any further configuration) and waits until its silo is active and
    /// its storage answers.
    /// </summary>
    public static async Task<EngineProcess> StartAsync(string name, EngineClusterSettings cluster, TimeSpan readyTimeout, params (string Key, string Value)[] settings)
    {
        // A free port found by probing can be taken by another process before the engine binds it; then it starts again
        // on other ports.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(name, cluster, readyTimeout, settings);
            }
            catch (PortTakenException) when (attempt < 3)
            {
            }
        }
    }

    private sealed class PortTakenException(string message) : InvalidOperationException(message);

    private static async Task<EngineProcess> StartOnceAsync(string name, EngineClusterSettings cluster, TimeSpan readyTimeout, (string Key, string Value)[] settings)
    {
        var httpPort = AzuriteEmulator.FreeLoopbackPort();
        var siloPort = AzuriteEmulator.FreeLoopbackPort();
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.ArgumentList.Add(ServerAssembly);
        foreach (var (key, value) in cluster.Settings(httpPort, siloPort).Concat(settings))
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {ServerAssembly}.");
        var engine = new EngineProcess(name, process, $"http://127.0.0.1:{httpPort}", siloPort);
        process.OutputDataReceived += (_, line) => engine.Record("out", line.Data);
        process.ErrorDataReceived += (_, line) => engine.Record("err", line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = new Uri(engine.BaseUrl), Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/readyz")).IsSuccessStatusCode)
                {
                    return engine;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            if (process.HasExited || deadline.Elapsed > readyTimeout)
            {
                var output = string.Join(Environment.NewLine, engine.Output);
                await engine.DisposeAsync();
                throw output.Contains("address already in use", StringComparison.OrdinalIgnoreCase)
                    ? new PortTakenException($"{name} found a port taken:{Environment.NewLine}{output}")
                    : new InvalidOperationException($"{name} did not get ready in {readyTimeout}:{Environment.NewLine}{output}");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>SIGKILL: no shutdown, no goodbye to the cluster.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Record(string stream, string? line)
    {
        if (line is not null)
        {
            _output.Enqueue($"[{Name} {stream}] {line}");
        }
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path : "dotnet";
}

/// <summary>The settings every engine of one test cluster shares, and the ports each has of its own.</summary>
public sealed record EngineClusterSettings(string ConnectionString, string ClusterId, string TablePrefix, string DataDirectory)
{
    /// <summary>The cluster's local keys (token signing, personal data), beside its data directory.</summary>
    public string KeyDirectory => DataDirectory.TrimEnd(Path.DirectorySeparatorChar) + "-keys";

    /// <summary>Removes the cluster's data and key directories.</summary>
    public void DeleteDirectories()
    {
        foreach (var directory in new[] { DataDirectory, KeyDirectory }.Where(Directory.Exists))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>A token the cluster's engines accept, for <paramref name="role"/>.</summary>
    public string Token(string role, string? subject = null) =>
        new LocalTokenIssuer(new LocalKeyRing(KeyDirectory), TimeProvider.System).Issue(role, subject ?? LocalTokenIssuer.DefaultSubject(role));

    /// <summary>A client of <paramref name="baseUrl"/> signed in as <paramref name="role"/>.</summary>
    public HttpClient Client(string baseUrl, string role, TimeSpan? timeout = null, HttpMessageHandler? handler = null)
    {
        var client = handler is null ? new HttpClient() : new HttpClient(handler);
        client.BaseAddress = new Uri(baseUrl);
        client.Timeout = timeout ?? TimeSpan.FromSeconds(100);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token(role));
        return client;
    }

    public IEnumerable<(string Key, string Value)> Settings(int httpPort, int siloPort) =>
    [
        ("urls", $"http://127.0.0.1:{httpPort}"),
        ("ConnectionStrings:Tables", ConnectionString),
        ("Engine:TablePrefix", TablePrefix),
        ("Engine:DataDirectory", DataDirectory),
        ("LocalKeys:Enabled", "true"),
        ("LocalKeys:Directory", KeyDirectory),
        ("Orleans:ClusterId", ClusterId),
        ("Orleans:ServiceId", ClusterId),
        ("Orleans:SiloPort", siloPort.ToString(CultureInfo.InvariantCulture)),
        ("Orleans:GatewayPort", AzuriteEmulator.FreeLoopbackPort().ToString(CultureInfo.InvariantCulture)),
        // A silo that vanishes is declared dead in seconds rather than a minute, so the test stays short.
        ("Orleans:Membership:ProbeTimeout", "00:00:02"),
        ("Orleans:Membership:NumMissedProbesLimit", "2"),
        ("Orleans:Membership:TableRefreshTimeout", "00:00:02"),
        ("Orleans:Membership:IAmAliveTablePublishTimeout", "00:00:03"),
        ("Orleans:Membership:DeathVoteExpirationTimeout", "00:00:20"),
        ("Logging:LogLevel:Default", "Warning"),
        // A test starts the campaigns it means to send, and sends them whatever the hour.
        ("Delivery:StartAfterRun", "false"),
        ("Delivery:QuietHoursStart", ""),
        ("Delivery:QuietHoursEnd", ""),
        ("Delivery:MailDropDirectory", Path.Combine(DataDirectory, "mail")),
        ("Delivery:SmsDropDirectory", Path.Combine(DataDirectory, "sms")),
    ];
}
