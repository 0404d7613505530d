namespace LoanOffers.Scoring;

/// <summary>One scoring model: many rows of features in, one probability per row out.</summary>
public interface ICreditModel
{
    string ModelId { get; }

    string Version { get; }

    /// <summary>What the model predicts (<see cref="Domain.ModelRoles"/>).</summary>
    string Role { get; }

    /// <summary>The feature names in input order: core fields (<see cref="Domain.ModelFeatures"/>) or the connector's own columns.</summary>
    IReadOnlyList<string> Features { get; }

    /// <summary>
    /// A typical applicant's value of each feature, in input order: a principal reason is a feature whose own value
    /// scores lower than this one would.
    /// </summary>
    IReadOnlyList<float> FeatureReferences { get; }

    /// <summary>Scores <paramref name="rows"/> rows laid out row-major in <paramref name="features"/>.</summary>
    void Score(ReadOnlySpan<float> features, int rows, Span<float> probabilities);
}

/// <summary>Finds the model a program names by id.</summary>
public interface ICreditModelRegistry
{
    /// <exception cref="KeyNotFoundException">No model of that id is served.</exception>
    ICreditModel Get(string modelId);

    /// <summary>The model served under that id, or null when there is none.</summary>
    ICreditModel? Find(string modelId);
}
