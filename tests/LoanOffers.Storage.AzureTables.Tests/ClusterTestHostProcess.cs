using System.Collections.Concurrent;
using System.Diagnostics;
using LoanOffers.ClusterTestHost;

namespace LoanOffers.Storage.AzureTables.Tests;

/// <summary>One silo in its own process (the LoanOffers.ClusterTestHost project, built next to the tests).</summary>
public sealed class ClusterTestHostProcess : IAsyncDisposable
{
    private static readonly string HostAssembly = Path.Combine(AppContext.BaseDirectory, "LoanOffers.ClusterTestHost.dll");

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ClusterTestHostProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public int ProcessId => _process.Id;

    /// <summary>The parsable address the silo announced in its ready line.</summary>
    public string SiloAddress { get; private set; } = string.Empty;

    /// <summary>Everything the host wrote (standard error holds its logs), for the test's output.</summary>
    public IEnumerable<string> Output => _output;

    /// <summary>Starts the host and waits for its ready line: the silo has joined the cluster and takes requests.</summary>
    public static async Task<ClusterTestHostProcess> StartAsync(string name, ClusterTestHostOptions options, TimeSpan readyTimeout)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(HostAssembly);
        foreach (var argument in options.ToCommandLine())
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {HostAssembly}.");
        var host = new ClusterTestHostProcess(name, process);
        process.OutputDataReceived += (_, line) => host.OnOutput(line.Data);
        process.ErrorDataReceived += (_, line) => host.OnError(line.Data);
        process.Exited += (_, _) => host._ready.TrySetException(new InvalidOperationException($"{name} exited with code {process.ExitCode} before it was ready."));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            host.SiloAddress = await host._ready.Task.WaitAsync(readyTimeout);
            return host;
        }
        catch (Exception failure)
        {
            await host.DisposeAsync();
            throw new InvalidOperationException($"{name} did not get ready: {failure.Message}{Environment.NewLine}{string.Join(Environment.NewLine, host.Output)}", failure);
        }
    }

    /// <summary>Closes the host's standard input, which stops the silo gracefully, and waits for the process to end.</summary>
    public async Task<int> StopGracefullyAsync(TimeSpan timeout)
    {
        _process.StandardInput.Close();
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
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

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue($"[{Name} out] {line}");
        if (line.StartsWith(ClusterTestHostProtocol.ReadyPrefix, StringComparison.Ordinal))
        {
            _ready.TrySetResult(line[ClusterTestHostProtocol.ReadyPrefix.Length..].Trim());
        }
    }

    private void OnError(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue($"[{Name} err] {line}");
        }
    }

    /// <summary>The dotnet executable running these tests (the CLI names it in DOTNET_HOST_PATH), else the one on PATH.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path : "dotnet";
}
