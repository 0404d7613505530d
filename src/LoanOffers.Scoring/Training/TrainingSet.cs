using System.Globalization;
using System.Security.Cryptography;
using CsvHelper;
using LoanOffers.Domain;

namespace LoanOffers.Scoring.Training;

/// <summary>
/// Labelled rows for one model: <see cref="Values"/> holds <see cref="Rows"/> rows of <see cref="Features"/> row-major.
/// <see cref="RowKeys"/> decide the held-out split (stable across files, so a row held out once stays held out);
/// <see cref="TrueProbabilities"/> is the ground truth where the data is synthetic, never a feature.
/// </summary>
public sealed class TrainingSet
{
    public TrainingSet(string label, IReadOnlyList<string> features, float[] values, bool[] labels, string[] rowKeys, double[]? trueProbabilities = null)
    {
        if (values.Length != labels.Length * features.Count || rowKeys.Length != labels.Length || trueProbabilities is { } truth && truth.Length != labels.Length)
        {
            throw new ArgumentException("Values, labels, row keys and true probabilities must describe the same rows.");
        }

        Label = label;
        Features = features;
        Values = values;
        Labels = labels;
        RowKeys = rowKeys;
        TrueProbabilities = trueProbabilities;
    }

    /// <summary>The outcome column the labels came from.</summary>
    public string Label { get; }

    public IReadOnlyList<string> Features { get; }

    public float[] Values { get; }

    public bool[] Labels { get; }

    public string[] RowKeys { get; }

    public double[]? TrueProbabilities { get; }

    public int Rows => Labels.Length;

    public ReadOnlySpan<float> Row(int row) => Values.AsSpan(row * Features.Count, Features.Count);

    public TrainingSet Subset(IReadOnlyList<int> rows)
    {
        var width = Features.Count;
        var values = new float[rows.Count * width];
        for (var i = 0; i < rows.Count; i++)
        {
            Row(rows[i]).CopyTo(values.AsSpan(i * width, width));
        }

        return new TrainingSet(Label, Features, values, [.. rows.Select(r => Labels[r])], [.. rows.Select(r => RowKeys[r])],
            TrueProbabilities is { } truth ? [.. rows.Select(r => truth[r])] : null);
    }

    /// <summary>SHA-256 of the feature names, then every row's key, values and label in order: the data, whatever file formatting carried it.</summary>
    public string DataHash()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(string.Join(',', Features) + "\n"));
        for (var row = 0; row < Rows; row++)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(RowKeys[row]));
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(Row(row)));
            hash.AppendData([Labels[row] ? (byte)1 : (byte)0]);
        }

        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The ground-truth history of <see cref="SyntheticHistory"/> for one label, in memory.</summary>
    public static TrainingSet FromHistory(IReadOnlyList<SyntheticHistory.Row> history, string label, IReadOnlyList<string> features)
    {
        var approval = label switch
        {
            SyntheticHistory.ApprovedLabel => true,
            SyntheticHistory.DefaultedLabel => false,
            _ => throw new ArgumentException($"The synthetic history's labels are '{SyntheticHistory.ApprovedLabel}' and '{SyntheticHistory.DefaultedLabel}'.", nameof(label)),
        };
        var values = new float[history.Count * features.Count];
        for (var row = 0; row < history.Count; row++)
        {
            ModelFeatures.Extract(history[row].Profile, features, values.AsSpan(row * features.Count, features.Count));
        }

        return new TrainingSet(label, features, values,
            [.. history.Select(r => approval ? r.Approved : r.Defaulted)],
            [.. history.Select(r => r.Profile.CustomerId)],
            [.. history.Select(r => approval ? r.ApprovalProbability : r.DefaultProbability)]);
    }
}

/// <summary>A refused CSV row: its line in the file (header = 1) and why.</summary>
public sealed record BadRow(int LineNumber, string Reason);

/// <summary>What reading a training CSV gave: the rows read, every refused row, or a fatal error that stopped reading.</summary>
public sealed record TrainingCsvResult(TrainingSet? Data, IReadOnlyList<BadRow> BadRows, string? FatalError)
{
    /// <summary>More refused rows than this share means the file, not a few rows, is wrong: nothing is trained.</summary>
    public const double MaxBadRowFraction = 0.01;

    private const int ReportedBadRows = 20;

    /// <summary>The rows to train on, when the file is usable.</summary>
    /// <exception cref="InvalidDataException">The file could not be read, or too many rows were refused; the message lists them by line.</exception>
    public TrainingSet Usable()
    {
        if (FatalError is not null || Data is null)
        {
            throw new InvalidDataException($"Cannot train: {FatalError}.");
        }

        var total = Data.Rows + BadRows.Count;
        if (BadRows.Count > MaxBadRowFraction * total)
        {
            throw new InvalidDataException($"Cannot train: {BadRows.Count} of {total} rows were refused (more than {MaxBadRowFraction:P0}):\n{Describe(BadRows)}");
        }

        return Data;
    }

    /// <summary>The refused rows, one per line ("line 12: income 'abc' is not a finite number"), the first twenty of them.</summary>
    public static string Describe(IReadOnlyList<BadRow> badRows) =>
        string.Join('\n', badRows.Take(ReportedBadRows).Select(b => $"  line {b.LineNumber}: {b.Reason}"))
        + (badRows.Count > ReportedBadRows ? $"\n  ... and {badRows.Count - ReportedBadRows} more" : "");
}

/// <summary>
/// Reads labelled rows from CSV by column name (case-insensitive, any order, other columns ignored). Features are any
/// numeric columns, named as the bank's warehouse names them; by default every column but the label, the row key and
/// the synthetic ground truth. Labels are 0/1 or true/false. A row with a missing, non-numeric or non-finite value is
/// reported with its line and column and left out; it is never dropped silently.
/// </summary>
public static class TrainingCsv
{
    /// <summary>Columns tried, in order, for the row key that decides the held-out split; the line number when none is there.</summary>
    public static readonly IReadOnlyList<string> RowKeyColumns = [SyntheticHistory.CustomerIdColumn, "outcome_id", "id"];

    public static TrainingCsvResult Read(TextReader reader, string label, IReadOnlyList<string>? features = null)
    {
        var badRows = new List<BadRow>();
        var options = new CsvReaderOptions
        {
            Separator = ',',
            TrackLineNumbers = true,
            MalformedData = CsvMalformedDataHandling.Skip,
            OnMalformedRecord = record => badRows.Add(new BadRow((int)record.LineNumber, $"malformed CSV: {record.Reason}")),
        };
        using var csv = CsvReader.Create(reader, options, leaveOpen: true);
        var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < csv.Headers.Count; i++)
        {
            columns.TryAdd(csv.Headers[i].Trim(), i);
        }

        if (columns.Count == 0)
        {
            return Fatal("the file is empty; a header row naming the columns is required");
        }

        if (!columns.TryGetValue(label, out var labelColumn))
        {
            return Fatal($"label column '{label}' is not in the header ({string.Join(", ", columns.Keys)})");
        }

        var notFeatures = new HashSet<string>([label, label + SyntheticHistory.TrueProbabilitySuffix, .. RowKeyColumns], StringComparer.OrdinalIgnoreCase);
        features ??= [.. csv.Headers.Select(header => header.Trim()).Where(header => header.Length > 0 && !notFeatures.Contains(header) && !header.EndsWith(SyntheticHistory.TrueProbabilitySuffix, StringComparison.OrdinalIgnoreCase)).Distinct(StringComparer.OrdinalIgnoreCase)];
        var badNames = features.Where(feature => !ProgramConfigParser.FeatureName().IsMatch(feature)).ToList();
        if (badNames.Count > 0)
        {
            return Fatal($"feature column name(s) {string.Join(", ", badNames.Select(name => $"'{name}'"))} are not usable in a program (letters, digits and underscores only)");
        }

        var missing = features.Where(f => !columns.ContainsKey(f)).ToList();
        if (features.Count == 0 || missing.Count > 0)
        {
            return Fatal(features.Count == 0 ? "no feature columns: name them with --features" : $"missing feature column(s): {string.Join(", ", missing)}");
        }

        if (features.Distinct().Count() != features.Count)
        {
            return Fatal("a feature is named twice");
        }

        var featureColumns = features.Select(f => columns[f]).ToArray();
        var keyColumn = RowKeyColumns.Select(c => columns.TryGetValue(c, out var index) ? index : -1).FirstOrDefault(i => i >= 0, -1);
        var truthColumn = columns.TryGetValue(label + SyntheticHistory.TrueProbabilitySuffix, out var truthIndex) ? truthIndex : -1;

        var values = new List<float>();
        var labels = new List<bool>();
        var keys = new List<string>();
        var truths = new List<double>();
        var row = new float[features.Count];
        while (csv.Read())
        {
            var line = (int)csv.LineNumber;
            string? Field(int column) => column < csv.FieldCount && csv.GetString(column).Trim() is { Length: > 0 } text ? text : null;

            var problems = new List<string>();
            for (var i = 0; i < featureColumns.Length; i++)
            {
                var text = Field(featureColumns[i]);
                if (text is null)
                {
                    problems.Add($"{features[i]} (column {featureColumns[i] + 1}) is missing");
                }
                else if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out row[i]) || !float.IsFinite(row[i]))
                {
                    problems.Add($"{features[i]} (column {featureColumns[i] + 1}) is not a finite number");
                }
            }

            var labelText = Field(labelColumn);
            var labelValue = labelText?.ToLowerInvariant() switch
            {
                "1" or "true" => true,
                "0" or "false" => (bool?)false,
                _ => null,
            };
            if (labelValue is null)
            {
                problems.Add(labelText is null ? $"{label} (column {labelColumn + 1}) is missing" : $"{label} (column {labelColumn + 1}) is not 0/1 or true/false");
            }

            var truth = double.NaN;
            if (truthColumn >= 0 && !double.TryParse(Field(truthColumn), NumberStyles.Float, CultureInfo.InvariantCulture, out truth))
            {
                problems.Add($"{label}{SyntheticHistory.TrueProbabilitySuffix} is not a number");
            }

            if (problems.Count > 0)
            {
                badRows.Add(new BadRow(line, string.Join("; ", problems)));
                continue;
            }

            values.AddRange(row);
            labels.Add(labelValue!.Value);
            keys.Add(keyColumn >= 0 && Field(keyColumn) is { } key ? key : line.ToString(CultureInfo.InvariantCulture));
            truths.Add(truth);
        }

        badRows.Sort((a, b) => a.LineNumber.CompareTo(b.LineNumber));
        return new TrainingCsvResult(
            new TrainingSet(label, features, [.. values], [.. labels], [.. keys], truthColumn >= 0 ? [.. truths] : null),
            badRows,
            null);

        TrainingCsvResult Fatal(string error) => new(null, badRows, error);
    }
}
