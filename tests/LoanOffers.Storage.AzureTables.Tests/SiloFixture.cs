using Azure.Data.Tables;
using LoanOffers.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TestingHost;

namespace LoanOffers.Storage.AzureTables.Tests;

/// <summary>Azurite plus one real silo with the project's partitioned table store and Orleans' own table provider.</summary>
public sealed class SiloFixture : IAsyncLifetime
{
    public const string DeletingStore = "AzureStore";
    public const string KeepingStore = "AzureStoreKeep";

    /// <summary>The deleting store's tables, read and written with compression on.</summary>
    public const string CompressingStore = "AzureStoreCompressed";

    /// <summary>A store keeping state in Orleans' binary format, as the engine's customer store does.</summary>
    public const string BinaryStore = "AzureStoreBinary";

    /// <summary>Orleans' own Azure table provider, deleting on clear, for the behaviour both providers must share.</summary>
    public const string OfficialStore = "OrleansStore";

    /// <summary>Orleans' own Azure table provider, keeping an empty row on clear.</summary>
    public const string OfficialKeepingStore = "OrleansStoreKeep";

    public const string StateTable = "State";

    /// <summary>A store encrypting every state under <see cref="FirstKeyId"/>, in Orleans' binary format as the customer store.</summary>
    public const string EncryptingStore = "AzureStoreEncrypted";

    public const string EncryptedTable = "Sealed";

    public const string FirstKeyId = "k1";

    public static readonly byte[] FirstKey = Enumerable.Range(1, StateEncryption.KeyBytes).Select(i => (byte)i).ToArray();

    private readonly AzuriteFixture _azurite = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public string ConnectionString => _azurite.ConnectionString;

    public string TablePrefix { get; } = AzuriteFixture.UniqueName("t");

    public IServiceProvider SiloServices => Cluster.GetSiloServiceProvider(Cluster.Silos[0].SiloAddress);

    public IGrainStorage Storage(string name) => SiloServices.GetRequiredKeyedService<IGrainStorage>(name);

    public async Task InitializeAsync()
    {
        await _azurite.InitializeAsync();
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo
            .AddPartitionedTableGrainStorage(DeletingStore, options =>
            {
                options.ConnectionString = ConnectionString;
                options.TableName = TablePrefix + StateTable;
                options.TableCount = 4;
                options.PartitionsPerTable = 4;
            })
            .AddPartitionedTableGrainStorage(CompressingStore, options =>
            {
                options.ConnectionString = ConnectionString;
                options.TableName = TablePrefix + StateTable;
                options.TableCount = 4;
                options.PartitionsPerTable = 4;
                options.CompressState = true;
            })
            .AddPartitionedTableGrainStorage(BinaryStore, (OptionsBuilder<PartitionedTableGrainStorageOptions> binary) => binary
                .Configure(options =>
                {
                    options.ConnectionString = ConnectionString;
                    options.TableName = TablePrefix + "Binary";
                    options.TableCount = 1;
                })
                .UseOrleansSerializer())
            .AddPartitionedTableGrainStorage(EncryptingStore, (OptionsBuilder<PartitionedTableGrainStorageOptions> encrypted) => encrypted
                .Configure(options =>
                {
                    options.ConnectionString = ConnectionString;
                    options.TableName = TablePrefix + EncryptedTable;
                    options.TableCount = 2;
                    options.PartitionsPerTable = 2;
                    options.Encryption = new StateEncryption(new Dictionary<string, byte[]> { [FirstKeyId] = FirstKey }, FirstKeyId);
                })
                .UseOrleansSerializer())
            .AddPartitionedTableGrainStorage(KeepingStore, options =>
            {
                options.ConnectionString = ConnectionString;
                options.TableName = TablePrefix + "Kept";
                options.TableCount = 1;
                options.DeleteStateOnClear = false;
            })
            .AddAzureTableGrainStorage(OfficialStore, options =>
            {
                options.TableServiceClient = new TableServiceClient(ConnectionString);
                options.TableName = TablePrefix + "Orleans";
                options.DeleteStateOnClear = true;
                options.GrainStorageSerializer = GrainStateSerializers.Json;
            })
            .AddAzureTableGrainStorage(OfficialKeepingStore, options =>
            {
                options.TableServiceClient = new TableServiceClient(ConnectionString);
                options.TableName = TablePrefix + "OrleansKept";
                options.DeleteStateOnClear = false;
                options.GrainStorageSerializer = GrainStateSerializers.Json;
            }));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await _azurite.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SiloCollection : ICollectionFixture<SiloFixture>
{
    public const string Name = "Silo";
}
