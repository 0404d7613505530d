using LoanOffers.Domain;

namespace LoanOffers.Scoring;

/// <summary>Scores a customer with the program's approval model and, when it has one, its default-risk model, each taken by its role.</summary>
public interface ICreditScoringService
{
    /// <exception cref="MissingFeatureException">A model needs a column the customer's connector did not supply.</exception>
    ValueTask<ModelScores> ScoreAsync(CustomerProfile profile, ProgramConfig program, CancellationToken cancellationToken = default);
}

/// <summary>Finds the names of a connector's own columns by the schema id its customers carry.</summary>
public interface IFeatureSchemas
{
    /// <exception cref="KeyNotFoundException">No schema of that id was registered.</exception>
    ValueTask<FeatureSchema> GetAsync(string schemaId, CancellationToken cancellationToken = default);
}
