using System.Globalization;
using LoanOffers.Scoring.Models;
using LoanOffers.Scoring.Training;
using Microsoft.Extensions.Logging.Abstractions;

namespace LoanOffers.Scoring;

/// <summary>
/// The host's model commands (<c>dotnet run --project src/LoanOffers.Server -- &lt;verb&gt; ...</c>):
/// <list type="bullet">
/// <item><c>train --input &lt;csv&gt; --label &lt;column&gt; --role approval|default-risk [--features a,b,c] --output &lt;dir&gt; [--model-id id] [--version v] [--trees n] [--leaves n] [--learning-rate r] [--seed s]</c>:
/// writes <c>model.onnx</c> and <c>model.json</c> to the output folder and prints the held-out metrics and the
/// features by importance. Features are any numeric columns (by default every column but the label and the row key).</item>
/// <item><c>generate-history --rows N --seed S --output &lt;csv&gt;</c>: labelled synthetic history (<see cref="SyntheticHistory"/>).</item>
/// <item><c>retrain --models &lt;dir&gt; --model-id id --input &lt;outcomes csv&gt;</c>: the monthly retraining by hand (<see cref="ModelRetrainer"/>).</item>
/// <item><c>rollback --models &lt;dir&gt; --model-id id</c>: serve the previous version again.</item>
/// </list>
/// Returns 0 on success, 1 when the data or the models are wrong, 2 on a usage error.
/// </summary>
public static class TrainingCommand
{
    public const string Usage = """
        usage:
          train --input <csv> --label <column> --role approval|default-risk [--features a,b,c] --output <dir> [--model-id id] [--version v] [--trees n] [--leaves n] [--learning-rate r] [--seed s]
          generate-history --rows N --seed S --output <csv>
          retrain --models <dir> --model-id <id> --input <outcomes csv>
          rollback --models <dir> --model-id <id>
        """;

    public static readonly IReadOnlyList<string> Verbs = ["train", "generate-history", "retrain", "rollback"];

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        try
        {
            var options = Options.Parse(args.Skip(1));
            return args.FirstOrDefault() switch
            {
                "train" => Train(options, output),
                "generate-history" => await GenerateHistoryAsync(options, output),
                "retrain" => await RetrainAsync(options, output),
                "rollback" => Rollback(options, output),
                _ => throw new UsageException("unknown verb"),
            };
        }
        catch (UsageException usage)
        {
            await output.WriteLineAsync($"error: {usage.Message}\n{Usage}");
            return 2;
        }
        catch (Exception failure) when (failure is InvalidDataException or ModelLoadException or IOException or ArgumentException)
        {
            await output.WriteLineAsync($"error: {failure.Message}");
            return 1;
        }
    }

    private static int Train(Options options, TextWriter output)
    {
        var label = options.Required("label");
        var role = options.Required("role");
        if (!Domain.ModelRoles.All.Contains(role))
        {
            throw new UsageException($"--role must be one of {string.Join(", ", Domain.ModelRoles.All)}");
        }

        var outputFolder = options.Required("output");
        TrainingCsvResult read;
        using (var reader = new StreamReader(options.Required("input")))
        {
            read = TrainingCsv.Read(reader, label, options.List("features"));
        }

        if (read.BadRows.Count > 0)
        {
            output.WriteLine($"refused {read.BadRows.Count} row(s):\n{TrainingCsvResult.Describe(read.BadRows)}");
        }

        var data = read.Usable();
        var trainer = new TrainerOptions
        {
            Trees = options.Int("trees") ?? 100,
            Leaves = options.Int("leaves") ?? 16,
            LearningRate = options.Double("learning-rate") ?? 0.1,
            Seed = options.Int("seed") ?? 1,
        };
        var model = CreditModelTrainer.Train(data, options.Optional("model-id") ?? label, options.Optional("version") ?? "1", role, trainer, read.BadRows.Count);
        ModelStore.Write(outputFolder, model);
        WriteCard(output, model.Card);
        output.WriteLine($"wrote {Path.Combine(outputFolder, ModelStore.OnnxFileName)} ({model.Onnx.Length:N0} bytes) and {Path.Combine(outputFolder, ModelCard.FileName)}");
        return 0;
    }

    private static async Task<int> GenerateHistoryAsync(Options options, TextWriter output)
    {
        var rows = options.Int("rows") ?? 100_000;
        var seed = options.Int("seed") ?? 1;
        var path = options.Required("output");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await using (var writer = new StreamWriter(path))
        {
            SyntheticHistory.WriteCsv(writer, SyntheticHistory.Generate(rows, seed));
        }

        await output.WriteLineAsync($"wrote {rows:N0} rows of synthetic history (seed {seed}) to {path}; labels '{SyntheticHistory.ApprovedLabel}' and '{SyntheticHistory.DefaultedLabel}'");
        return 0;
    }

    private static async Task<int> RetrainAsync(Options options, TextWriter output)
    {
        var retrainer = new ModelRetrainer(new ModelStore(options.Required("models")), NullLogger.Instance);
        var result = await retrainer.RetrainAsync(options.Required("model-id"), options.Required("input"));
        if (result.BadRows.Count > 0)
        {
            await output.WriteLineAsync($"refused {result.BadRows.Count} row(s):\n{TrainingCsvResult.Describe(result.BadRows)}");
        }

        WriteCard(output, result.Candidate);
        await output.WriteLineAsync(result.Promoted
            ? $"promoted {result.ModelId} version {result.Candidate.Version} over {result.CurrentVersion}: {result.Reason}"
            : $"kept {result.ModelId} version {result.CurrentVersion}; the candidate was not better: {result.Reason}");
        return 0;
    }

    private static int Rollback(Options options, TextWriter output)
    {
        var store = new ModelStore(options.Required("models"));
        var modelId = options.Required("model-id");
        var version = store.Rollback(modelId);
        output.WriteLine(version is null ? $"{modelId} has no earlier version to roll back to" : $"{modelId} now serves version {version}");
        return version is null ? 1 : 0;
    }

    private static void WriteCard(TextWriter output, ModelCard card)
    {
        var m = card.Metrics;
        output.WriteLine($"model {card.ModelId} version {card.Version} ({card.Role}): label '{card.Label}', features [{string.Join(", ", card.Features)}]");
        output.WriteLine($"rows: {card.TrainingRows:N0} training, {card.HeldOutRows:N0} held out, {card.RejectedRows:N0} refused; data {card.DataHash}");
        output.WriteLine(FormattableString.Invariant($"held-out AUC {m.Auc:F4}, Brier {m.Brier:F4}, log loss {m.LogLoss:F4}, positive rate {m.PositiveRate:P2}"));
        if (card.GroundTruth is { } truth)
        {
            output.WriteLine(FormattableString.Invariant($"ground truth on the same rows: AUC {truth.Auc:F4}, Brier {truth.Brier:F4} (the best achievable)"));
        }

        output.WriteLine(FormattableString.Invariant($"ONNX parity with ML.NET: max |difference| {card.ParityMaxAbsDifference:G3}"));
        output.WriteLine("calibration by decile (predicted -> observed):");
        foreach (var bin in m.CalibrationByDecile)
        {
            output.WriteLine(FormattableString.Invariant($"  {bin.Decile,2}: {bin.MeanPredicted,7:P2} -> {bin.ObservedRate,7:P2}  ({bin.Rows} rows)"));
        }

        if (card.FeatureImportance is { Count: > 0 } importance)
        {
            output.WriteLine("features by importance (held-out AUC lost when the feature is shuffled):");
            foreach (var feature in importance.Take(TopFeatures))
            {
                output.WriteLine(FormattableString.Invariant($"  {feature.Feature,-28} {feature.AucLoss,8:F4}"));
            }
        }
    }

    private const int TopFeatures = 10;

    private sealed class UsageException(string message) : Exception(message);

    private sealed class Options(Dictionary<string, string> values)
    {
        public static Options Parse(IEnumerable<string> args)
        {
            var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            using var items = args.GetEnumerator();
            while (items.MoveNext())
            {
                var name = items.Current;
                if (!name.StartsWith("--", StringComparison.Ordinal) || !items.MoveNext())
                {
                    throw new UsageException($"expected '--name value', got '{name}'");
                }

                values[name[2..]] = items.Current;
            }

            return new Options(values);
        }

        public string Required(string name) => Optional(name) ?? throw new UsageException($"--{name} is required");

        public string? Optional(string name) => values.GetValueOrDefault(name);

        public IReadOnlyList<string>? List(string name) =>
            Optional(name)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

        public int? Int(string name) => Optional(name) is { } text
            ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : throw new UsageException($"--{name} '{text}' is not a whole number")
            : null;

        public double? Double(string name) => Optional(name) is { } text
            ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : throw new UsageException($"--{name} '{text}' is not a number")
            : null;
    }
}
