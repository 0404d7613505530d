using LoanOffers.Storage.AzureTables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Orleans.Hosting;

/// <summary>
/// Registers the partitioned, batch-aware table grain storage under a name of its own, the way Orleans registers its
/// providers; Orleans' own <c>AddAzureTableGrainStorage</c> stays free for the default store.
/// </summary>
public static class PartitionedTableGrainStorageExtensions
{
    public static ISiloBuilder AddPartitionedTableGrainStorage(this ISiloBuilder builder, string name, Action<PartitionedTableGrainStorageOptions> configure) =>
        builder.ConfigureServices(services => services.AddPartitionedTableGrainStorage(name, options => options.Configure(configure)));

    public static ISiloBuilder AddPartitionedTableGrainStorage(this ISiloBuilder builder, string name, Action<OptionsBuilder<PartitionedTableGrainStorageOptions>> configureOptions) =>
        builder.ConfigureServices(services => services.AddPartitionedTableGrainStorage(name, configureOptions));

    public static IServiceCollection AddPartitionedTableGrainStorage(this IServiceCollection services, string name, Action<OptionsBuilder<PartitionedTableGrainStorageOptions>> configureOptions)
    {
        configureOptions(services.AddOptions<PartitionedTableGrainStorageOptions>(name));
        services.AddTransient<IConfigurationValidator>(sp => new PartitionedTableGrainStorageOptionsValidator(
            sp.GetRequiredService<IOptionsMonitor<PartitionedTableGrainStorageOptions>>().Get(name), name));
        services.AddKeyedSingleton<IGrainStorage>(name, (sp, _) => new PartitionedTableGrainStorage(
            name,
            sp.GetRequiredService<IOptionsMonitor<PartitionedTableGrainStorageOptions>>().Get(name),
            sp.GetRequiredService<IOptions<ClusterOptions>>(),
            sp.GetRequiredService<IActivatorProvider>(),
            sp.GetRequiredService<ILogger<PartitionedTableGrainStorage>>()));
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp =>
            (ILifecycleParticipant<ISiloLifecycle>)sp.GetRequiredKeyedService<IGrainStorage>(name));
        return services;
    }

    /// <summary>
    /// Stores state in Orleans' binary format instead of JSON: no JSON writing per row, for state whose records evolve
    /// by [Id] (fields added or dropped keep reading; positional parameters must keep their order).
    /// </summary>
    public static OptionsBuilder<PartitionedTableGrainStorageOptions> UseOrleansSerializer(this OptionsBuilder<PartitionedTableGrainStorageOptions> builder) =>
        builder.Configure<Serializer>((options, serializer) => options.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer));

    /// <summary>The read-ahead of a named Azure Table grain storage, for batches that walk many grains.</summary>
    public static IGrainStateReadAhead GetGrainStateReadAhead(this IServiceProvider services, string name) =>
        services.GetRequiredKeyedService<IGrainStorage>(name) as IGrainStateReadAhead
        ?? throw new InvalidOperationException($"Grain storage '{name}' is not an Azure table grain storage.");
}
