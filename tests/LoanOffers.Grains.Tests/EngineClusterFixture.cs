using LoanOffers.Abstractions;
using LoanOffers.Delivery;
using LoanOffers.Domain;
using LoanOffers.Grains;
using LoanOffers.Storage.AzureTables;
using LoanOffers.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace LoanOffers.Grains.Tests;

/// <summary>Azurite plus a real silo running the engine on it, with a data directory for CSV connectors.</summary>
public sealed class EngineClusterFixture : IAsyncLifetime
{
    private readonly AzuriteFixture _azurite = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("loanoffers-data").FullName;

    public IGrainFactory Grains => Cluster.Client;

    /// <summary>The delivery secret of this cluster: tracking links and suppressed addresses.</summary>
    public static string SigningKey { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public SuppressionList Suppressions => Cluster.GetSiloServiceProvider(Cluster.Silos[0].SiloAddress).GetRequiredService<SuppressionList>();

    public CandidateIndex CandidateIndex => Cluster.GetSiloServiceProvider(Cluster.Silos[0].SiloAddress).GetRequiredService<CandidateIndex>();

    public async Task InitializeAsync()
    {
        await _azurite.InitializeAsync();
        Cluster = NewCluster(1, _azurite.ConnectionString, DataDirectory);
        await Cluster.DeployAsync();
    }

    /// <summary>
    /// A cluster of its own on this fixture's Azurite (its own tables), for a test that adds or stops silos; the caller
    /// deploys and disposes it.
    /// </summary>
    public InProcessTestCluster NewCluster(int silos) => NewCluster(silos, _azurite.ConnectionString, DataDirectory);

    private static InProcessTestCluster NewCluster(int silos, string connectionString, string dataDirectory)
    {
        var storage = new EngineStorageOptions { ConnectionString = connectionString, TablePrefix = AzuriteFixture.UniqueName("g") };
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddLoanOfferEngine(storage, options =>
            {
                options.DataDirectory = dataDirectory;
                options.PartitionsPerCheckpoint = 16;
                options.PartitionConcurrency = 4;
            });
            silo.Services.Configure<DeliveryOptions>(delivery =>
            {
                delivery.SigningKey = SigningKey;
                delivery.MailDropDirectory = Path.Combine(dataDirectory, "mail");
                delivery.SmsDropDirectory = Path.Combine(dataDirectory, "sms");
                delivery.StartAfterRun = false;
            });
        });
        return builder.Build();
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await _azurite.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }

    /// <summary>Seed 000's program under a fresh id, reading <paramref name="customers"/> synthetic customers.</summary>
    public static ProgramConfig DemoProgram(int customers)
    {
        var programId = "p-" + Guid.NewGuid().ToString("N")[..8];
        return ProgramConfigParser.ParseYaml(DemoPrograms.LoanOfferTargetingYaml).Config! with
        {
            ProgramId = programId,
            DataConnectors = [new DataConnectorConfig("synthetic", DataConnectorTypes.Synthetic, new Dictionary<string, string>
            {
                ["count"] = customers.ToString(),
                ["seed"] = "7",
                ["idPrefix"] = programId + "-",
            })],
        };
    }

    public async Task<RunStatus> WaitForRunAsync(IProgramGrain program, string runId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(2));
        while (true)
        {
            var run = await program.GetRun(runId) ?? throw new InvalidOperationException($"Run {runId} vanished.");
            if (run.State != RunState.Running)
            {
                return run;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Run {runId} still running: {run.Processed}/{run.Total}.");
            }

            await Task.Delay(100);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class EngineCollection : ICollectionFixture<EngineClusterFixture>
{
    public const string Name = "Engine";
}
