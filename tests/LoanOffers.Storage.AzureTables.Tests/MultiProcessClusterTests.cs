using Azure.Data.Tables;
using System.Diagnostics;
using LoanOffers.ClusterTestHost;
using LoanOffers.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Xunit.Abstractions;

namespace LoanOffers.Storage.AzureTables.Tests;

/// <summary>
/// Two silos in separate processes sharing Orleans' Azure table membership, reminders and grain storage: when one stops,
/// the other takes over its grains with their state and keeps their reminders ticking.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class MultiProcessClusterTests(AzuriteFixture azurite, ITestOutputHelper output) : IAsyncLifetime
{
    private const int GrainCount = 20;
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromSeconds(3);

    // Generous for a loaded two-core machine, yet bounded so a broken failover fails instead of hanging.
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FailoverTimeout = TimeSpan.FromSeconds(30);

    private readonly string _clusterId = "mp-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _serviceId = "mp-svc-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _tablePrefix = AzuriteFixture.UniqueName("mp");
    private readonly List<ClusterTestHostProcess> _silos = [];
    private IHost? _client;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        try
        {
            if (_client is not null)
            {
                await _client.StopAsync(TimeSpan.FromSeconds(5));
                _client.Dispose();
            }
        }
        finally
        {
            // Silo processes never outlive the test, whatever happened to the client.
            foreach (var silo in _silos)
            {
                await silo.DisposeAsync();
                foreach (var line in silo.Output)
                {
                    output.WriteLine(line);
                }
            }
        }
    }

    [Fact]
    public async Task Grains_of_a_stopped_silo_resume_on_the_other_process_with_their_state_and_reminders()
    {
        var elapsed = Stopwatch.StartNew();
        var ports = DistinctFreePorts(4);
        await Task.WhenAll(StartSiloAsync("silo-1", ports[0], ports[1]), StartSiloAsync("silo-2", ports[2], ports[3]));
        var grains = await ConnectClientAsync();
        output.WriteLine($"both silos ready and client connected after {elapsed.Elapsed.TotalSeconds:F1} s");

        var probes = await Task.WhenAll(Enumerable.Range(0, GrainCount).Select(async index =>
        {
            var grain = grains.GetGrain<IClusterProbeGrain>($"probe-{index}");
            await grain.Write("first");
            await grain.Write($"note-{index}");
            await grain.StartReminder(ReminderPeriod);
            return (Grain: grain, Note: $"note-{index}", Host: await grain.Host());
        }));

        Assert.All(probes, probe => Assert.Contains(_silos, silo => silo.ProcessId == probe.Host.ProcessId && silo.SiloAddress == probe.Host.SiloAddress));
        var stopped = _silos.Single(silo => silo.ProcessId == probes[0].Host.ProcessId);
        var survivor = _silos.Single(silo => silo != stopped);
        var moved = probes.Where(probe => probe.Host.ProcessId == stopped.ProcessId).ToList();
        var statesBeforeStop = await Task.WhenAll(moved.Select(probe => probe.Grain.Read()));
        output.WriteLine($"{moved.Count} of {GrainCount} grains on {stopped.Name}; stopping it after {elapsed.Elapsed.TotalSeconds:F1} s");

        Assert.Equal(0, await stopped.StopGracefullyAsync(StopTimeout));
        output.WriteLine($"{stopped.Name} exited after {elapsed.Elapsed.TotalSeconds:F1} s");
        var members = await EventuallyAsync(
            async () => (await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: false)).ToDictionary(member => member.Key.ToParsableString(), member => member.Value),
            hosts => hosts.GetValueOrDefault(stopped.SiloAddress) == SiloStatus.Dead,
            $"{stopped.Name} recorded as dead in the membership table");
        Assert.Equal(SiloStatus.Active, members[survivor.SiloAddress]);

        await Task.WhenAll(moved.Select(async (probe, index) =>
        {
            var host = await EventuallyAsync(probe.Grain.Host, answer => answer.ProcessId == survivor.ProcessId, $"{probe.Grain.GetPrimaryKeyString()} answers from {survivor.Name}");
            Assert.Equal(survivor.SiloAddress, host.SiloAddress);
            var state = await probe.Grain.Read();
            Assert.Equal(2, state.Writes);
            Assert.Equal(probe.Note, state.Note);
            Assert.True(state.ReminderTicks >= statesBeforeStop[index].ReminderTicks, "Reminder ticks written on the stopped silo were lost.");
        }));
        output.WriteLine($"moved grains answered from {survivor.Name} after {elapsed.Elapsed.TotalSeconds:F1} s");

        // The stopped silo also owned part of the reminder ring, whichever silo its grains lived on: now that it is
        // gone, every reminder must tick again, delivered by the survivor.
        var statesAfterStop = await Task.WhenAll(probes.Select(probe => probe.Grain.Read()));
        await Task.WhenAll(probes.Select((probe, index) => EventuallyAsync(
            probe.Grain.Read,
            state => state.ReminderTicks > statesAfterStop[index].ReminderTicks && state.LastReminderSilo == survivor.SiloAddress,
            $"a new tick of {probe.Grain.GetPrimaryKeyString()}'s reminder on {survivor.Name}")));
        output.WriteLine($"every reminder ticked on {survivor.Name} after {elapsed.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>The cluster's settings, shared by its silos, the client and the test's own look at the tables.</summary>
    private ClusterTestHostOptions Cluster(int siloPort = 0, int gatewayPort = 0) => new()
    {
        ConnectionString = azurite.ConnectionString,
        ClusterId = _clusterId,
        ServiceId = _serviceId,
        TablePrefix = _tablePrefix,
        SiloPort = siloPort,
        GatewayPort = gatewayPort,
    };

    private async Task StartSiloAsync(string name, int siloPort, int gatewayPort)
    {
        var silo = await ClusterTestHostProcess.StartAsync(name, Cluster(siloPort, gatewayPort), ReadyTimeout);
        lock (_silos)
        {
            _silos.Add(silo);
        }
    }

    private async Task<IClusterClient> ConnectClientAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client => client
            .Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = _clusterId;
                cluster.ServiceId = _serviceId;
            })
            .UseAzureStorageClustering(clustering =>
            {
                clustering.TableServiceClient = new TableServiceClient(azurite.ConnectionString);
                clustering.TableName = Cluster().MembershipTable;
            })
            // A call to the stopped silo fails fast and the dead gateway leaves the list soon, so retries find the survivor.
            .Configure<ClientMessagingOptions>(messaging => messaging.ResponseTimeout = TimeSpan.FromSeconds(10))
            .Configure<GatewayOptions>(gateways => gateways.GatewayListRefreshPeriod = TimeSpan.FromSeconds(2)));
        _client = builder.Build();
        await _client.StartAsync().WaitAsync(ReadyTimeout);
        return _client.Services.GetRequiredService<IClusterClient>();
    }

    /// <summary>Calls until the answer satisfies <paramref name="done"/>; calls may fail while the cluster settles.</summary>
    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> call, Func<T, bool> done, string what)
    {
        var deadline = Stopwatch.StartNew();
        object? last = null;
        while (true)
        {
            try
            {
                var answer = await call();
                if (done(answer))
                {
                    return answer;
                }

                last = answer;
            }
            catch (Exception failure) when (deadline.Elapsed < FailoverTimeout)
            {
                last = failure.GetType().Name + ": " + failure.Message;
            }

            if (deadline.Elapsed >= FailoverTimeout)
            {
                throw new TimeoutException($"Expected {what} within {FailoverTimeout.TotalSeconds} s; last answer: {last}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }

    private static int[] DistinctFreePorts(int count)
    {
        var ports = new HashSet<int>();
        while (ports.Count < count)
        {
            ports.Add(AzuriteEmulator.FreeLoopbackPort());
        }

        return [.. ports];
    }
}
