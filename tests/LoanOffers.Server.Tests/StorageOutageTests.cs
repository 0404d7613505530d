using LoanOffers.Server.Security;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LoanOffers.Testing;
using Xunit.Abstractions;

namespace LoanOffers.Server.Tests;

/// <summary>
/// The engine's own Azurite stopped dead (SIGSTOP) for 45 s in the middle of a batch, as a storage outage looks to the
/// engine: connections open, nothing answers. The API answers 503 meanwhile, and the run carries on afterwards.
/// </summary>
public sealed class StorageOutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Customers = 12_000;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(45);

    private readonly EngineApiFactory _engine = EngineApiFactory.WithOwnAzurite();

    public Task InitializeAsync() => ((IAsyncLifetime)_engine).InitializeAsync();

    public Task DisposeAsync()
    {
        // Whatever happened, the emulator is never left stopped.
        Signal("CONT");
        return ((IAsyncLifetime)_engine).DisposeAsync();
    }

    [Fact]
    public async Task A_run_rides_out_a_45_second_outage_with_no_errors_while_the_api_answers_503()
    {
        var client = _engine.CreateClient(EngineRoles.LendingAdmin);
        var offersClient = _engine.CreateClient(EngineRoles.OffersService);
        var programId = "outage-" + Guid.NewGuid().ToString("N")[..8];
        var (_, runUrl) = await DemoRuns.StartAsync(client, programId, Customers);

        var before = await WaitForAsync(client, runUrl, run => run.GetProperty("processed").GetInt32() >= Customers / 5, TimeSpan.FromMinutes(2));
        var evaluated = $"{programId}-C{1:D7}";
        Signal("STOP");
        var stoppedAt = Stopwatch.StartNew();
        output.WriteLine($"Azurite stopped at {before.GetProperty("processed").GetInt32()} of {Customers} processed");

        // A customer evaluated earlier is cold (deactivated after the batch): reading it needs storage.
        var timed = Stopwatch.StartNew();
        var offers = await offersClient.GetAsync($"/api/v1/customers/{evaluated}/offers");
        output.WriteLine($"offers during the outage: {(int)offers.StatusCode} after {timed.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, offers.StatusCode);
        Assert.True(timed.Elapsed < TimeSpan.FromSeconds(15), $"503 took {timed.Elapsed}");
        Assert.NotNull(offers.Headers.RetryAfter);
        var problem = await offers.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/readyz")).StatusCode);

        var remaining = Outage - stoppedAt.Elapsed;
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining);
        }

        Signal("CONT");
        var resumedAt = DateTimeOffset.UtcNow;
        output.WriteLine($"Azurite resumed after {stoppedAt.Elapsed.TotalSeconds:F1} s");

        var done = await WaitForAsync(client, runUrl, run => run.GetProperty("state").GetString() != "Running", TimeSpan.FromMinutes(4));
        output.WriteLine(done.ToString());
        DemoRuns.AssertEveryCustomerCountedOnce(done, Customers);
        // The run was mid-way when storage stopped and finished only after it came back: it waited the outage out,
        // by pausing on a failed call or by the storage client retrying a stalled one, and lost nothing either way.
        output.WriteLine($"pauses: {done.GetProperty("pauses").GetInt32()}");
        Assert.True(done.GetProperty("completedAt").GetDateTimeOffset() >= resumedAt, "The run finished before storage came back.");
        Assert.False(done.TryGetProperty("pause", out _), "A completed run still shows a pause.");

        // Every offered customer is in the candidate index exactly once, and the API serves again.
        Assert.Equal(done.GetProperty("offered").GetInt32(), (await DemoRuns.IndexedCustomersAsync(client, programId)).Count);
        Assert.Equal(HttpStatusCode.OK, (await offersClient.GetAsync($"/api/v1/customers/{evaluated}/offers")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
    }

    private static async Task<JsonElement> WaitForAsync(HttpClient client, string runUrl, Func<JsonElement, bool> done, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var run = await client.GetFromJsonAsync<JsonElement>(runUrl);
            if (done(run))
            {
                return run;
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"The run did not get there in {timeout}: {run}");
            }

            await Task.Delay(200);
        }
    }

    private void Signal(string signal)
    {
        if (_engine.Azurite.Started is not { } emulator)
        {
            return;
        }

        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, emulator.ProcessId.ToString()]) { UseShellExecute = false })!;
        kill.WaitForExit();
    }
}
