using LoanOffers.Scoring.Models;
using LoanOffers.Scoring.Training;

namespace LoanOffers.Scoring.Tests;

/// <summary>Small models trained once per test run on a few thousand synthetic rows, and scratch model folders.</summary>
public static class TestModels
{
    public const string ApprovalId = "loan-approval-v4";
    public const string DefaultId = "default-risk-v3";

    public static readonly TrainerOptions FastOptions = new() { Trees = 30, Leaves = 8 };

    private static readonly Lazy<IReadOnlyList<SyntheticHistory.Row>> LazyHistory = new(() => [.. SyntheticHistory.Generate(4_000, seed: 7)]);
    private static readonly Lazy<TrainedCreditModel> LazyApproval = new(() => Train(ApprovalId, "1", SyntheticHistory.ApprovedLabel, SyntheticHistory.ApprovalFeatures));
    private static readonly Lazy<TrainedCreditModel> LazyDefault = new(() => Train(DefaultId, "1", SyntheticHistory.DefaultedLabel, SyntheticHistory.DefaultFeatures));

    public static IReadOnlyList<SyntheticHistory.Row> History => LazyHistory.Value;

    public static TrainedCreditModel Approval => LazyApproval.Value;

    public static TrainedCreditModel Default => LazyDefault.Value;


    public static TrainedCreditModel Train(string modelId, string version, string label, IReadOnlyList<string> features, TrainerOptions? options = null, int rows = 4_000) =>
        CreditModelTrainer.Train(
            TrainingSet.FromHistory([.. History.Take(rows)], label, features), modelId, version,
            label == SyntheticHistory.ApprovedLabel ? Domain.ModelRoles.Approval : Domain.ModelRoles.DefaultRisk, options ?? FastOptions);

    /// <summary>A fresh model folder holding both test models as version 1.</summary>
    public static ModelStore NewStore(ScratchFolder scratch)
    {
        var store = new ModelStore(scratch.Path);
        store.Add(Approval);
        store.Add(Default);
        return store;
    }

    /// <summary>The repository's shipped <c>models/</c> folder, found by walking up from the test binaries.</summary>
    public static string ShippedModels()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Orleans.sln")))
            {
                return Path.Combine(directory.FullName, "models");
            }
        }

        throw new DirectoryNotFoundException("Orleans.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary folder for one test, deleted with it.</summary>
public sealed class ScratchFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("loanoffers-scoring-tests-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
