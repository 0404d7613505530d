using LoanOffers.Scoring;
using LoanOffers.Scoring.Models;
using LoanOffers.Scoring.Training;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static partial class ScoringServiceCollectionExtensions
{
    /// <summary>
    /// The batching scoring service. The models are the trained ONNX models in <see cref="ScoringOptions.ModelDirectory"/>
    /// when it holds any (<see cref="OnnxCreditModelRegistry"/>, also registered as itself for activation and reload),
    /// otherwise the named placeholder models. Connector schemas are those given to <see cref="InMemoryFeatureSchemas"/>
    /// unless the host registers its own <see cref="IFeatureSchemas"/> first (the silo does). Also registers the <see cref="ModelRetrainer"/> (it needs the model directory). Options bound elsewhere (for example from configuration) count too:
    /// the choice is made when the registry is first resolved.
    /// </summary>
    public static IServiceCollection AddCreditScoring(this IServiceCollection services, Action<ScoringOptions>? configure = null)
    {
        services.AddOptions<ScoringOptions>().Configure(options => configure?.Invoke(options));
        services.TryAddSingleton<OnnxCreditModelRegistry>();
        services.TryAddSingleton<ICreditModelRegistry>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<ScoringOptions>>().Value;
            if (options.ModelDirectory is { } directory && ModelStore.HasModels(directory))
            {
                return provider.GetRequiredService<OnnxCreditModelRegistry>();
            }

            LogPlaceholderModels(provider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ScoringServiceCollectionExtensions).FullName!), options.ModelDirectory ?? "(not set)");
            return new PlaceholderCreditModelRegistry();
        });
        services.TryAddSingleton<IFeatureSchemas, InMemoryFeatureSchemas>();
        services.TryAddSingleton<ICreditScoringService, BatchingCreditScoringService>();
        services.TryAddSingleton<ModelRetrainer>();
        return services;
    }

    [LoggerMessage(1, LogLevel.Warning, "No trained credit models in {ModelDirectory}; scoring with the named PLACEHOLDER models")]
    private static partial void LogPlaceholderModels(ILogger logger, string modelDirectory);
}
