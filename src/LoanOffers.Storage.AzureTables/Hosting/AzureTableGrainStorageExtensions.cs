using LoanOffers.Storage.AzureTables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Providers;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Orleans.Hosting;

/// <summary>Registers Azure Table grain storage the way Orleans registers its own providers.</summary>
public static class AzureTableGrainStorageExtensions
{
    public static ISiloBuilder AddAzureTableGrainStorageAsDefault(this ISiloBuilder builder, Action<AzureTableGrainStorageOptions> configure) =>
        builder.AddAzureTableGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);

    public static ISiloBuilder AddAzureTableGrainStorage(this ISiloBuilder builder, string name, Action<AzureTableGrainStorageOptions> configure) =>
        builder.ConfigureServices(services => services.AddAzureTableGrainStorage(name, options => options.Configure(configure)));

    public static ISiloBuilder AddAzureTableGrainStorage(this ISiloBuilder builder, string name, Action<OptionsBuilder<AzureTableGrainStorageOptions>> configureOptions) =>
        builder.ConfigureServices(services => services.AddAzureTableGrainStorage(name, configureOptions));

    public static IServiceCollection AddAzureTableGrainStorage(this IServiceCollection services, string name, Action<OptionsBuilder<AzureTableGrainStorageOptions>> configureOptions)
    {
        configureOptions(services.AddOptions<AzureTableGrainStorageOptions>(name));
        services.AddTransient<IConfigurationValidator>(sp => new AzureTableGrainStorageOptionsValidator(
            sp.GetRequiredService<IOptionsMonitor<AzureTableGrainStorageOptions>>().Get(name), name));
        services.AddKeyedSingleton<IGrainStorage>(name, (sp, _) => new AzureTableGrainStorage(
            name,
            sp.GetRequiredService<IOptionsMonitor<AzureTableGrainStorageOptions>>().Get(name),
            sp.GetRequiredService<IOptions<ClusterOptions>>(),
            sp.GetRequiredService<IActivatorProvider>(),
            sp.GetRequiredService<ILogger<AzureTableGrainStorage>>()));
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp =>
            (ILifecycleParticipant<ISiloLifecycle>)sp.GetRequiredKeyedService<IGrainStorage>(name));
        return services;
    }

    /// <summary>
    /// Stores state in Orleans' binary format instead of JSON: no JSON writing per row, for state whose records evolve
    /// by [Id] (fields added or dropped keep reading; positional parameters must keep their order).
    /// </summary>
    public static OptionsBuilder<AzureTableGrainStorageOptions> UseOrleansSerializer(this OptionsBuilder<AzureTableGrainStorageOptions> builder) =>
        builder.Configure<Serializer>((options, serializer) => options.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer));

    /// <summary>The read-ahead of a named Azure Table grain storage, for batches that walk many grains.</summary>
    public static IGrainStateReadAhead GetGrainStateReadAhead(this IServiceProvider services, string name) =>
        services.GetRequiredKeyedService<IGrainStorage>(name) as IGrainStateReadAhead
        ?? throw new InvalidOperationException($"Grain storage '{name}' is not an Azure table grain storage.");
}
