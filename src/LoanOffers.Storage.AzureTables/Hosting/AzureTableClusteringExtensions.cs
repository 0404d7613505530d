using LoanOffers.Storage.AzureTables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Messaging;
using Orleans.Runtime;

namespace Orleans.Hosting;

/// <summary>Membership (silos) and gateway discovery (clients) on Azure Table Storage, and reminders.</summary>
public static class AzureTableClusteringExtensions
{
    public static ISiloBuilder UseAzureStorageClustering(this ISiloBuilder builder, Action<AzureTableClusteringOptions> configure) =>
        builder.ConfigureServices(services =>
        {
            services.AddOptions<AzureTableClusteringOptions>().Configure(configure);
            services.AddTransient<IConfigurationValidator>(sp => new AzureSingleTableOptionsValidator(sp.GetRequiredService<IOptions<AzureTableClusteringOptions>>().Value, "Azure table clustering"));
            services.AddSingleton<IMembershipTable, AzureTableMembershipTable>();
        });

    public static IClientBuilder UseAzureStorageClustering(this IClientBuilder builder, Action<AzureTableClusteringOptions> configure) =>
        builder.ConfigureServices(services =>
        {
            services.AddOptions<AzureTableClusteringOptions>().Configure(configure);
            services.AddTransient<IConfigurationValidator>(sp => new AzureSingleTableOptionsValidator(sp.GetRequiredService<IOptions<AzureTableClusteringOptions>>().Value, "Azure table clustering"));
            services.AddSingleton<IGatewayListProvider, AzureTableGatewayListProvider>();
        });

    public static ISiloBuilder UseAzureTableReminderService(this ISiloBuilder builder, Action<AzureTableReminderOptions> configure) =>
        builder.ConfigureServices(services =>
        {
            services.AddReminders();
            services.AddOptions<AzureTableReminderOptions>().Configure(configure);
            services.AddTransient<IConfigurationValidator>(sp => new AzureSingleTableOptionsValidator(sp.GetRequiredService<IOptions<AzureTableReminderOptions>>().Value, "Azure table reminders"));
            services.AddSingleton<IReminderTable, AzureTableReminderTable>();
        });
}
