using System.Data.Common;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LoanOffers.Storage.AzureTables;

/// <summary>Which of Azurite's services an emulator process runs.</summary>
public enum AzuriteService
{
    /// <summary>Azure Table Storage: the engine's tables.</summary>
    Table,

    /// <summary>Azure Blob Storage: the weekly warehouse export.</summary>
    Blob,
}

/// <summary>
/// Starts the pinned Azurite (the repository's <c>azurite/</c> folder) on loopback when the configured connection
/// is the local emulator, installing it with <c>npm ci</c> on first use, and stops what it started. With a data
/// folder it keeps its tables on disk and leaves a marker there (process id, start time, port), so an Azurite left
/// running by a killed engine is recognised and reused, and anything else on the port is refused by name.
/// Azurite's account name and key are the emulator's public, documented defaults, not secrets.
/// </summary>
public sealed partial class AzuriteEmulator : IAsyncDisposable
{
    public const string AccountName = "devstoreaccount1";
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    public const int DefaultTablePort = 10002;
    public const int DefaultBlobPort = 10000;
    public const string DevelopmentConnectionString = "UseDevelopmentStorage=true";

    private readonly Process _process;
    private readonly ILogger _logger;

    /// <summary>Whether disposing stops the emulator: not when another live engine runs it.</summary>
    private readonly bool _owned;

    private AzuriteEmulator(Process process, int port, ILogger logger, bool owned = true, AzuriteService service = AzuriteService.Table)
    {
        _process = process;
        _logger = logger;
        _owned = owned;
        Port = port;
        Service = service;
    }

    public int Port { get; }

    public AzuriteService Service { get; }

    /// <summary>The emulator's process, for tests that pause it to play a storage outage.</summary>
    public int ProcessId => _process.Id;

    /// <summary>CPU time the emulator has used so far, for benchmarks that set its share beside the engine's.</summary>
    public TimeSpan ProcessorTime => _process.TotalProcessorTime;

    public string ConnectionString => ConnectionStringFor(Port, Service);

    public static string ConnectionStringFor(int port, AzuriteService service = AzuriteService.Table) =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};{Endpoint(service)}=http://127.0.0.1:{port}/{AccountName};";

    private static string Endpoint(AzuriteService service) => service == AzuriteService.Blob ? "BlobEndpoint" : "TableEndpoint";

    /// <summary>The loopback port of <paramref name="service"/> in a connection string that points at the local emulator, else null.</summary>
    public static int? LocalEmulatorPort(string? connectionString, AzuriteService service = AzuriteService.Table)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return null;
        }

        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (builder.TryGetValue("UseDevelopmentStorage", out var development) && bool.TryParse(development?.ToString(), out var isDevelopment) && isDevelopment)
        {
            return service == AzuriteService.Blob ? DefaultBlobPort : DefaultTablePort;
        }

        if (builder.TryGetValue(Endpoint(service), out var endpoint)
            && Uri.TryCreate(endpoint?.ToString(), UriKind.Absolute, out var uri)
            && (uri.IsLoopback || uri.Host == "localhost")
            && builder.TryGetValue("AccountName", out var account) && string.Equals(account?.ToString(), AccountName, StringComparison.Ordinal))
        {
            return uri.Port;
        }

        return null;
    }

    /// <summary>The git-ignored folder the engine's own Azurite keeps its tables in.</summary>
    public static string DefaultDataDirectory => Path.Combine(FindAzuriteFolder(), "data");

    /// <summary>
    /// Makes sure the local emulator that <paramref name="connectionString"/> names runs on <paramref name="dataDirectory"/>:
    /// reuses this project's Azurite left running on that folder, refuses anything else on the port, or starts one.
    /// <paramref name="fresh"/> stops a leftover and empties the folder first. Returns the emulator (dispose it to stop
    /// it), or null when the connection is not the local emulator.
    /// </summary>
    public static async Task<AzuriteEmulator?> EnsureRunningAsync(
        string? connectionString, string dataDirectory, bool fresh, ILogger? logger = null, CancellationToken cancellationToken = default, AzuriteService service = AzuriteService.Table)
    {
        logger ??= NullLogger.Instance;
        if (LocalEmulatorPort(connectionString, service) is not int port)
        {
            return null;
        }

        // Each service keeps its data (and its marker) in a folder of its own: the tables where they always were.
        var data = Path.GetFullPath(service == AzuriteService.Blob ? Path.Combine(dataDirectory, "blob") : dataDirectory);
        var marker = AzuriteMarker.Read(data) is { } found && found.Port == port ? found : null;
        var leftover = marker?.FindEmulator();
        if (leftover is not null && marker!.OwnerIsAlive())
        {
            // Another engine (an extra silo of the same demo) runs it: share it, and leave stopping it to that engine.
            LogShared(logger, leftover.Id, port, data);
            return new AzuriteEmulator(leftover, port, logger, owned: false, service);
        }

        if (leftover is not null && !fresh && await IsListeningAsync(port, cancellationToken))
        {
            AzuriteMarker.Write(data, leftover, port);
            LogReused(logger, leftover.Id, port, data);
            return new AzuriteEmulator(leftover, port, logger, service: service);
        }

        if (leftover is not null)
        {
            leftover.Kill(entireProcessTree: true);
            await leftover.WaitForExitAsync(cancellationToken);
            leftover.Dispose();
        }

        if (await IsListeningAsync(port, cancellationToken))
        {
            throw new AzuritePortTakenException(
                $"127.0.0.1:{port} is taken by a process that is not this project's Azurite on {data}. Stop it, or point ConnectionStrings:{(service == AzuriteService.Blob ? "Blobs" : "Tables")} at the storage you mean to use.");
        }

        if (fresh && Directory.Exists(data))
        {
            Directory.Delete(data, recursive: true);
            LogFresh(logger, data);
        }

        return await StartAsync(port, data, logger, cancellationToken, service);
    }

    /// <summary>
    /// Starts Azurite's table service on <paramref name="port"/> (0: a free loopback port), keeping its tables in
    /// memory, or on disk in <paramref name="dataDirectory"/> (marked as this emulator's).
    /// </summary>
    public static async Task<AzuriteEmulator> StartAsync(
        int port = 0, string? dataDirectory = null, ILogger? logger = null, CancellationToken cancellationToken = default, AzuriteService service = AzuriteService.Table)
    {
        logger ??= NullLogger.Instance;
        var folder = FindAzuriteFolder();
        var name = service == AzuriteService.Blob ? "blob" : "table";
        var executable = Path.Combine(folder, "node_modules", ".bin", "azurite-" + name);
        if (!File.Exists(executable))
        {
            await InstallAsync(folder, logger, cancellationToken);
        }

        if (port == 0)
        {
            port = FreeLoopbackPort();
        }

        // Azurite keeps every row in its JavaScript heap, and node's default limit (~4 GB here) is near what a million
        // customers' batch leaves there (3.4 GB measured): a larger limit keeps a bigger book from stopping the emulator.
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var flag in new[] { "--max-old-space-size=8192", Path.GetFullPath(executable) })
        {
            start.ArgumentList.Add(flag);
        }

        foreach (var argument in new[] { $"--{name}Host", "127.0.0.1", $"--{name}Port", port.ToString(), "--skipApiVersionCheck", "--disableTelemetry", "--silent" })
        {
            start.ArgumentList.Add(argument);
        }

        if (dataDirectory is null)
        {
            start.ArgumentList.Add("--inMemoryPersistence");
        }
        else
        {
            Directory.CreateDirectory(dataDirectory);
            start.ArgumentList.Add("--location");
            start.ArgumentList.Add(dataDirectory);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start Azurite.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, line) => { if (line.Data is { Length: > 0 } text) LogAzuriteError(logger, text); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await IsListeningAsync(port, cancellationToken))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"Azurite did not start listening on 127.0.0.1:{port} (exit code {(process.HasExited ? process.ExitCode : -1)}).");
            }

            await Task.Delay(100, cancellationToken);
        }

        if (dataDirectory is not null)
        {
            AzuriteMarker.Write(dataDirectory, process, port);
        }

        LogStarted(logger, port, dataDirectory ?? "memory");
        return new AzuriteEmulator(process, port, logger, service: service);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_owned)
        {
            _process.Dispose();
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        LogStopped(_logger, Port);
        _process.Dispose();
    }

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> IsListeningAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The repository's azurite folder: LOANOFFERS_AZURITE_DIR, else the nearest ancestor of the app or working directory that has one.</summary>
    private static string FindAzuriteFolder()
    {
        if (Environment.GetEnvironmentVariable("LOANOFFERS_AZURITE_DIR") is { Length: > 0 } configured)
        {
            return configured;
        }

        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, "azurite");
                if (File.Exists(Path.Combine(candidate, "package.json")))
                {
                    return candidate;
                }
            }
        }

        throw new InvalidOperationException("Could not find the repository's azurite/ folder (set LOANOFFERS_AZURITE_DIR, or point ConnectionStrings:Tables at a running storage account).");
    }

    private static async Task InstallAsync(string folder, ILogger logger, CancellationToken cancellationToken)
    {
        // Several test processes may start at once: one installs, the others wait for its lock.
        await using var installLock = await AcquireInstallLockAsync(folder, cancellationToken);
        if (File.Exists(Path.Combine(folder, "node_modules", ".bin", "azurite-table")))
        {
            return;
        }

        LogInstalling(logger, folder);
        var install = new ProcessStartInfo("npm")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        install.ArgumentList.Add("ci");
        install.ArgumentList.Add("--no-audit");
        install.ArgumentList.Add("--no-fund");

        Process process;
        try
        {
            process = Process.Start(install) ?? throw new InvalidOperationException("npm did not start.");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException(
                "The embedded Azure Table Storage (Azurite) needs Node.js 18+ and npm, and neither was found on PATH. " +
                "Install them (Debian/Ubuntu: apt-get install nodejs npm), or set ConnectionStrings:Tables to a running storage account.");
        }

        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.StandardOutput.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"'npm ci' in {folder} failed with exit code {process.ExitCode}: {await errors}");
            }
        }
    }

    private static async Task<FileStream> AcquireInstallLockAsync(string folder, CancellationToken cancellationToken)
    {
        var path = Path.Combine(folder, ".install.lock");
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException)
            {
                await Task.Delay(250, cancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Installing Azurite with npm ci in {Folder}")]
    private static partial void LogInstalling(ILogger logger, string folder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reusing this project's Azurite (process {ProcessId}) left running on 127.0.0.1:{Port} with its data in {DataDirectory}")]
    private static partial void LogReused(ILogger logger, int processId, int port, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sharing the Azurite (process {ProcessId}) another engine runs on 127.0.0.1:{Port} with its data in {DataDirectory}")]
    private static partial void LogShared(ILogger logger, int processId, int port, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Starting fresh: removed the Azurite data in {DataDirectory}")]
    private static partial void LogFresh(ILogger logger, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Azurite table service started on 127.0.0.1:{Port} (data in {Persistence})")]
    private static partial void LogStarted(ILogger logger, int port, string persistence);

    [LoggerMessage(Level = LogLevel.Information, Message = "Azurite on port {Port} stopped")]
    private static partial void LogStopped(ILogger logger, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Azurite: {Line}")]
    private static partial void LogAzuriteError(ILogger logger, string line);
}

/// <summary>The local emulator's port is held by something that is not this project's Azurite on its data folder.</summary>
public sealed class AzuritePortTakenException(string message) : InvalidOperationException(message);
