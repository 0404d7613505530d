using System.Diagnostics;
using System.Text.Json;

namespace LoanOffers.Storage.AzureTables;

/// <summary>
/// What the engine leaves in an Azurite data folder about the emulator it runs there: the emulator's process and port,
/// and the engine process that owns it (stops it on shutdown). Start times tell a live process from an unrelated one
/// that later got the same id.
/// </summary>
internal sealed record AzuriteMarker(int ProcessId, DateTime ProcessStartedAtUtc, int Port, int OwnerProcessId, DateTime OwnerStartedAtUtc)
{
    private const string FileName = "loanoffers-azurite.json";

    /// <summary>Marks <paramref name="emulator"/> as run by the current process.</summary>
    public static void Write(string dataDirectory, Process emulator, int port)
    {
        using var owner = Process.GetCurrentProcess();
        var marker = new AzuriteMarker(emulator.Id, emulator.StartTime.ToUniversalTime(), port, owner.Id, owner.StartTime.ToUniversalTime());
        File.WriteAllText(Path.Combine(dataDirectory, FileName), JsonSerializer.Serialize(marker));
    }

    public static AzuriteMarker? Read(string dataDirectory)
    {
        try
        {
            return JsonSerializer.Deserialize<AzuriteMarker>(File.ReadAllText(Path.Combine(dataDirectory, FileName)));
        }
        catch (Exception failure) when (failure is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The emulator process this marker names, if it still runs; null otherwise.</summary>
    public Process? FindEmulator() => FindLive(ProcessId, ProcessStartedAtUtc);

    /// <summary>Whether the engine that runs the emulator is still alive (another silo of the same demo, say).</summary>
    public bool OwnerIsAlive()
    {
        using var owner = FindLive(OwnerProcessId, OwnerStartedAtUtc);
        return owner is not null && owner.Id != Environment.ProcessId;
    }

    private static Process? FindLive(int processId, DateTime startedAtUtc)
    {
        try
        {
            var process = Process.GetProcessById(processId);
            if (!process.HasExited && Math.Abs((process.StartTime.ToUniversalTime() - startedAtUtc).TotalSeconds) < 1)
            {
                return process;
            }

            process.Dispose();
            return null;
        }
        catch (Exception failure) when (failure is ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }
}
