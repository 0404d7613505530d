namespace LoanOffers.Scoring;

public sealed class ScoringOptions
{
    /// <summary>Most rows scored in one model call (seed 000: "batch scoring, 1000 at a time").</summary>
    public int MaxBatchSize { get; set; } = 1000;

    /// <summary>How long a lone request waits for company before it is scored alone.</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// The model folder (see <see cref="Models.ModelStore"/>). When it holds trained models the engine scores with
    /// them through ONNX Runtime; when it is unset or empty the named placeholder models stand in.
    /// </summary>
    public string? ModelDirectory { get; set; }

    /// <summary>How often the registry looks for a newly activated model version (a promotion or a rollback).</summary>
    public TimeSpan ModelReloadInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a replaced version stays loaded for requests that picked it up just before the swap.</summary>
    public TimeSpan RetiredModelGrace { get; set; } = TimeSpan.FromSeconds(30);
}
