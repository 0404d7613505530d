using LoanOffers.Scoring;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class ScoringServiceCollectionExtensions
{
    /// <summary>The batching scoring service; the model registry defaults to the named placeholder models.</summary>
    public static IServiceCollection AddCreditScoring(this IServiceCollection services, Action<ScoringOptions>? configure = null)
    {
        services.AddOptions<ScoringOptions>().Configure(options => configure?.Invoke(options));
        services.TryAddSingleton<ICreditModelRegistry, PlaceholderCreditModelRegistry>();
        services.TryAddSingleton<ICreditScoringService, BatchingCreditScoringService>();
        return services;
    }
}
