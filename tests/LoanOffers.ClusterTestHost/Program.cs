using Azure.Data.Tables;
using System.Net;
using LoanOffers.ClusterTestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;

// One silo of a test cluster. It stops gracefully (leaving the cluster as dead, handing its grains and reminders
// over) on SIGTERM or when standard input closes, so a test that dies without cleaning up takes its silos with it.
var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddCommandLine(args, ClusterTestHostOptions.SwitchMappings);
var options = ClusterTestHostOptions.Read(builder.Configuration);

// Standard output carries only the ready line; every log line goes to standard error.
builder.Logging.ClearProviders()
    .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace)
    .SetMinimumLevel(LogLevel.Warning);
builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(20));

builder.UseOrleans(silo => silo
    .Configure<ClusterOptions>(cluster =>
    {
        cluster.ClusterId = options.ClusterId;
        cluster.ServiceId = options.ServiceId;
    })
    .ConfigureEndpoints(IPAddress.Loopback, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: false)
    .UseAzureStorageClustering(clustering =>
    {
        clustering.TableServiceClient = new TableServiceClient(options.ConnectionString);
        clustering.TableName = options.MembershipTable;
    })
    .AddAzureTableGrainStorage(ClusterProbeGrain.StorageName, storage =>
    {
        storage.TableServiceClient = new TableServiceClient(options.ConnectionString);
        storage.TableName = options.StateTable;
    })
    .UseAzureTableReminderService(reminders =>
    {
        reminders.TableServiceClient = new TableServiceClient(options.ConnectionString);
        reminders.TableName = options.ReminderTable;
    })
    // Ticks a test can watch within seconds; production keeps the one-minute floor.
    .Configure<ReminderOptions>(reminders => reminders.MinimumReminderPeriod = TimeSpan.FromSeconds(2))
    // A silo that vanishes without leaving is voted dead in seconds rather than minutes.
    .Configure<ClusterMembershipOptions>(membership =>
    {
        membership.ProbeTimeout = TimeSpan.FromSeconds(2);
        membership.NumMissedProbesLimit = 2;
        membership.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(3);
        membership.TableRefreshTimeout = TimeSpan.FromSeconds(2);
        membership.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(20);
    }));

using var host = builder.Build();
await host.StartAsync();

var siloAddress = host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
Console.WriteLine(ClusterTestHostProtocol.ReadyPrefix + siloAddress.ToParsableString());

var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
new Thread(() =>
{
    while (Console.In.ReadLine() is not null)
    {
    }

    lifetime.StopApplication();
})
{ IsBackground = true, Name = "stop-on-stdin-close" }.Start();

await host.WaitForShutdownAsync();
