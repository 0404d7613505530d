using Orleans;

namespace LoanOffers.Abstractions;

/// <summary>The column names of one connector schema, keyed by its id (a hash of the names), so customers carry the id alone.</summary>
[Alias("loanoffers.IFeatureSchemaGrain")]
public interface IFeatureSchemaGrain : IGrainWithStringKey
{
    /// <summary>Keeps the names under this id; keeping them again changes nothing.</summary>
    /// <exception cref="ArgumentException">The names do not hash to this grain's id.</exception>
    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task Register(IReadOnlyList<string> names);

    /// <summary>The names, or null when none were kept under this id.</summary>
    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<IReadOnlyList<string>?> GetNames();
}
