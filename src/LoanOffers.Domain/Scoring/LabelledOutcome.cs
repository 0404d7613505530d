namespace LoanOffers.Domain;

/// <summary>
/// One decided application as a labelled training row: the applicant's <see cref="ModelFeatures.Names"/> values, in
/// order, and whether the loan was funded. The customer id keeps a customer on one side of the held-out split.
/// </summary>
public sealed record LabelledOutcome(string CustomerId, IReadOnlyList<float> Features, bool Funded)
{
    /// <summary>The outcomes' values of <paramref name="features"/> (core fields), row-major, in the order named.</summary>
    public static float[] Rows(IReadOnlyList<LabelledOutcome> outcomes, IReadOnlyList<string> features)
    {
        var columns = features.Select(feature => ModelFeatures.Names.ToList().IndexOf(feature)).ToArray();
        var values = new float[outcomes.Count * columns.Length];
        for (var row = 0; row < outcomes.Count; row++)
        {
            for (var column = 0; column < columns.Length; column++)
            {
                values[row * columns.Length + column] = outcomes[row].Features[columns[column]];
            }
        }

        return values;
    }
}
