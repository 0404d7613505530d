using Azure.Data.Tables;
using LoanOffers.Delivery;
using LoanOffers.Grains;
using LoanOffers.Scoring;
using LoanOffers.Storage.AzureTables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;

namespace Orleans.Hosting;

/// <summary>Where the engine keeps its tables.</summary>
public sealed class EngineStorageOptions
{
    public required string ConnectionString { get; init; }

    /// <summary>Prefix of every table name, so several engines (or test runs) can share one account.</summary>
    public string TablePrefix { get; init; } = string.Empty;

    public string Table(string name) => TablePrefix + name;

    /// <summary>Azure Blob Storage for the weekly warehouse export; null leaves the export unconfigured (it then fails, saying so).</summary>
    public string? BlobConnectionString { get; init; }

    /// <summary>Encrypts customers' stored state (profile, decisions, contacts); null stores it as it is.</summary>
    public StateEncryption? PersonalDataEncryption { get; init; }

    /// <summary>
    /// Customers' rows are spread over 64 tables of 4 partitions. Partitions are what a batch reads and writes
    /// together; the table count keeps each table small, since Azurite's cost per row grows with its table (16
    /// tables measured 1.8x the insert cost of 64 at a million rows).
    /// </summary>
    public const string CustomerTableName = "CustomerState";

    public const int CustomerTableCount = 64;

    public const int CustomerPartitionsPerTable = 4;

    /// <summary>Pages of each candidate index partition: one per customer storage partition, so a batch's partition writes one page of each.</summary>
    public const int CandidatePageCount = CustomerTableCount * CustomerPartitionsPerTable;

    /// <summary>The tables the customers' rows are spread over.</summary>
    public IReadOnlyList<string> CustomerTables => [.. GrainStateLayout.TableNamesFor(Table(CustomerTableName), CustomerTableCount)];

    /// <summary>Where customers' rows were kept before the current layout; rows found there move at start.</summary>
    public GrainStateTables PreviousCustomerTables => new(Table("Customers"), 16, 16);

    /// <summary>
    /// One client for the tables of Orleans' own providers (membership, reminders, default grain storage) and the
    /// readiness check: the SDK's clients are thread-safe and meant to be shared, not made per use.
    /// </summary>
    public TableServiceClient TableServiceClient => _tableServiceClient ??= new TableServiceClient(ConnectionString);

    private TableServiceClient? _tableServiceClient;
}

public static class EngineSiloBuilderExtensions
{
    /// <summary>
    /// The engine's grains on Azure Table Storage: Orleans' own table provider is the default grain storage (the program
    /// grain and any grain without a store of its own) and carries reminders; customers live in the partitioned,
    /// batch-aware store, which writes a run's rows in shared transactions and reads partitions ahead.
    /// </summary>
    public static ISiloBuilder AddLoanOfferEngine(this ISiloBuilder builder, EngineStorageOptions storage, Action<EngineOptions>? configure = null)
    {
        builder
            .AddPartitionedTableGrainStorage(EngineNames.CustomerStore, (OptionsBuilder<PartitionedTableGrainStorageOptions> customers) => customers
                .Configure(options =>
                {
                    options.ConnectionString = storage.ConnectionString;
                    options.TableName = storage.Table(EngineStorageOptions.CustomerTableName);
                    options.TableCount = EngineStorageOptions.CustomerTableCount;
                    options.PartitionsPerTable = EngineStorageOptions.CustomerPartitionsPerTable;
                    options.PreviousLayout = storage.PreviousCustomerTables;
                    options.Encryption = storage.PersonalDataEncryption;
                })
                .UseOrleansSerializer())
            .AddAzureTableGrainStorageAsDefault(options =>
            {
                options.TableServiceClient = storage.TableServiceClient;
                options.TableName = storage.Table("GrainState");
                options.GrainStorageSerializer = GrainStateSerializers.Json;
            })
            .UseAzureTableReminderService(options =>
            {
                options.TableServiceClient = storage.TableServiceClient;
                options.TableName = storage.Table("Reminders");
            });

        builder.Services.AddOptions<EngineOptions>().Configure(options => configure?.Invoke(options)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<EngineOptions>, EngineOptionsValidator>();
        builder.Services.AddOptions<CandidateIndexOptions>().Configure(options =>
        {
            options.ConnectionString = storage.ConnectionString;
            options.TablePrefix = storage.Table("Candidates");
            options.PageCount = EngineStorageOptions.CandidatePageCount;
            options.CustomerGrainType = EngineNames.CustomerGrainType;
        }).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<CandidateIndexOptions>, CandidateIndexOptionsValidator>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.UseProcessRelativeMembershipClock();
        builder.Services.AddSingleton<CandidateIndex>();
        builder.Services.AddSingleton(provider => new AuditTrail(
            storage.TableServiceClient, storage.Table("Audit"), provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<AuditTrail>>()));
        builder.Services.AddSingleton(provider => new FirmOfferRecordStore(
            storage.TableServiceClient, storage.Table("FirmOfferRecords"), EngineNames.CustomerGrainType,
            provider.GetRequiredService<Orleans.Serialization.Serializer>(), storage.PersonalDataEncryption,
            provider.GetRequiredService<ILogger<FirmOfferRecordStore>>()));
        builder.Services.AddSingleton(new ApplicationLedger(storage.TableServiceClient, storage.Table("Applications"), storage.PersonalDataEncryption));
        builder.Services.AddSingleton(new Outbox(storage.TableServiceClient, storage.Table("Outbox")));
        builder.Services.AddSingleton(new FunnelLedger(storage.TableServiceClient, storage.Table("Funnel")));
        builder.Services.AddSingleton(new ReportStore(storage.TableServiceClient, storage.Table("Reports")));
        builder.Services.AddSingleton<OriginationAggregator>();
        if (storage.BlobConnectionString is { Length: > 0 } blobs)
        {
            builder.Services.AddSingleton(provider => new WarehouseStore(
                new Azure.Storage.Blobs.BlobServiceClient(blobs), provider.GetRequiredService<IOptions<ReportsOptions>>().Value.ExportContainer));
        }

        builder.Services.AddSingleton<WarehouseExporter>();
        builder.Services.AddOptions<ReportsOptions>().BindConfiguration(ReportsOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ReportsOptions>, ReportsOptionsValidator>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, ReportSchedule>();
        builder.Services.AddSingleton(provider => new SuppressionList(
            storage.TableServiceClient, storage.Table("Suppressions"), provider.GetRequiredService<LoanOffers.Delivery.Tracking.DeliveryKeys>().AddressKey,
            provider.GetRequiredService<TimeProvider>()));
        builder.Services.AddOfferDelivery();
        builder.Services.AddSingleton<CustomerSource>();
        builder.Services.AddSingleton<LocalOfferReads>();
        builder.Services.AddSingleton<BatchRunner>();
        builder.Services.AddSingleton<CustomerGrains>();
        builder.Services.AddSingleton<PartitionEvaluator>();
        builder.Services.AddSingleton<CustomerPipeline>();
        builder.Services.AddSingleton<CustomerActivations>();
        builder.Services.AddSingleton<CustomerActivationServiceClient>();
        builder.AddGrainService<CustomerActivationService>();
        builder.Services.AddSingleton<FeatureSchemas>();
        builder.Services.AddSingleton<IFeatureSchemas>(provider => provider.GetRequiredService<FeatureSchemas>());
        builder.Services.AddSingleton<ProgramModelCheck>();
        builder.Services.AddCreditScoring();
        builder.Services.PostConfigure<ScoringOptions>(options => options.ModelDirectory ??= ShippedModels.Find());
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, TableStartup>();

        // A batch activates every customer once, and Orleans' directory cache (a million entries by default) keeps an
        // address for each long after it deactivated: at a million customers that is ~200 MB the GC walks for nothing.
        // A hundred thousand still covers every customer being served or evaluated at a time.
        builder.Configure<GrainDirectoryOptions>(options => options.CacheSize = 100_000);
        return builder;
    }

    /// <summary>Gives Orleans' membership and watchdog a clock counted from silo start (see <see cref="ProcessRelativeTimeProvider"/>).</summary>
    public static ISiloBuilder UseProcessRelativeMembershipClock(this ISiloBuilder builder)
    {
        builder.Services.AddKeyedSingleton<TimeProvider>(ProcessRelativeTimeProvider.OrleansMembershipKey, (_, _) => new ProcessRelativeTimeProvider());
        return builder;
    }

    /// <summary>Arms the reports' schedule once the silo is active (idempotent: every silo does it).</summary>
    private sealed class ReportSchedule(IGrainFactory grains) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe(nameof(ReportSchedule), ServiceLifecycleStage.Active, _ => grains.GetGrain<LoanOffers.Abstractions.IReportsGrain>(LoanOffers.Abstractions.IReportsGrain.Key).Start());
    }

    /// <summary>Creates the tables of the candidate index, the audit trail, the firm-offer records, the applications ledger and the delivery tables when the silo starts.</summary>
    private sealed class TableStartup(
        CandidateIndex index, AuditTrail audit, FirmOfferRecordStore records, ApplicationLedger applications, Outbox outbox, FunnelLedger funnel, SuppressionList suppressions,
        ReportStore reports)
        : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe(nameof(TableStartup), ServiceLifecycleStage.ApplicationServices, async cancellationToken =>
            {
                await index.CreateTablesAsync(cancellationToken);
                await audit.CreateTableAsync(cancellationToken);
                await records.CreateTableAsync(cancellationToken);
                await applications.CreateTableAsync(cancellationToken);
                await outbox.CreateTableAsync(cancellationToken);
                await funnel.CreateTableAsync(cancellationToken);
                await suppressions.CreateTableAsync(cancellationToken);
                await reports.CreateTableAsync(cancellationToken);
            });
    }
}
