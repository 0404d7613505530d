using System.Globalization;
using LoanOffers.Scoring.Training;

namespace LoanOffers.Scoring.Models;

/// <summary>
/// The model folder: <c>&lt;root&gt;/&lt;modelId&gt;/&lt;version&gt;/{model.onnx, model.json}</c>, and per model an
/// <c>active</c> file naming the version the engine serves (absent: the highest version). Versions are whole numbers
/// ("1", "2", ...). Promoting writes a new version folder and then switches <c>active</c> atomically; old versions
/// stay, so rolling back is switching <c>active</c> back.
/// </summary>
public sealed class ModelStore(string root)
{
    public const string OnnxFileName = "model.onnx";
    public const string ActiveFileName = "active";

    public string Root { get; } = Path.GetFullPath(root);

    public static bool HasModels(string root) =>
        Directory.Exists(root) && Directory.EnumerateFiles(root, ModelCard.FileName, SearchOption.AllDirectories).Any();

    public IReadOnlyList<string> ModelIds() => Directory.Exists(Root)
        ? [.. Directory.EnumerateDirectories(Root).Select(Path.GetFileName).OfType<string>().Where(id => Versions(id).Count > 0).Order(StringComparer.Ordinal)]
        : [];

    /// <summary>The model's versions, oldest first.</summary>
    public IReadOnlyList<string> Versions(string modelId)
    {
        var folder = ModelFolder(modelId);
        return Directory.Exists(folder)
            ? [.. Directory.EnumerateDirectories(folder)
                .Where(d => File.Exists(Path.Combine(d, ModelCard.FileName)))
                .Select(Path.GetFileName).OfType<string>()
                .OrderBy(v => long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : long.MaxValue)
                .ThenBy(v => v, StringComparer.Ordinal)]
            : [];
    }

    public string? ActiveVersion(string modelId)
    {
        var pointer = Path.Combine(ModelFolder(modelId), ActiveFileName);
        return File.Exists(pointer) ? File.ReadAllText(pointer).Trim() : Versions(modelId).LastOrDefault();
    }

    public string VersionFolder(string modelId, string version) => Path.Combine(ModelFolder(modelId), version);

    public string NextVersion(string modelId) =>
        (Versions(modelId).Select(v => long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0).DefaultIfEmpty(0).Max() + 1)
        .ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Writes the model as a new version folder. It is served only once activated, unless it is the model's first
    /// version: the served version is pinned in <c>active</c> first, so "highest version" never promotes it by accident.
    /// </summary>
    public string Add(TrainedCreditModel model)
    {
        var (modelId, version) = (model.Card.ModelId, model.Card.Version);
        var folder = VersionFolder(modelId, version);
        if (Directory.Exists(folder))
        {
            throw new IOException($"Model {modelId} already has a version {version} at {folder}.");
        }

        var served = ActiveVersion(modelId);
        Write(folder, model);
        Activate(modelId, served ?? version);
        return folder;
    }

    /// <summary>Makes <paramref name="version"/> the one served. The pointer is replaced in one rename, so a reader sees the old or the new version, never half.</summary>
    public void Activate(string modelId, string version)
    {
        if (!Versions(modelId).Contains(version))
        {
            throw new ArgumentException($"Model {modelId} has no version {version} under {ModelFolder(modelId)}.", nameof(version));
        }

        var pointer = Path.Combine(ModelFolder(modelId), ActiveFileName);
        var staging = pointer + ".tmp";
        File.WriteAllText(staging, version + "\n");
        File.Move(staging, pointer, overwrite: true);
    }

    /// <summary>The version before the active one, or null when there is none.</summary>
    public string? PreviousVersion(string modelId)
    {
        var versions = Versions(modelId);
        var active = versions.ToList().IndexOf(ActiveVersion(modelId) ?? "");
        return active <= 0 ? null : versions[active - 1];
    }

    /// <summary>Serves the version before the active one again; returns it, or null when there is none.</summary>
    public string? Rollback(string modelId)
    {
        if (PreviousVersion(modelId) is not { } previous)
        {
            return null;
        }

        Activate(modelId, previous);
        return previous;
    }

    /// <summary>Writes <c>model.onnx</c> and <c>model.json</c> into <paramref name="folder"/>.</summary>
    public static void Write(string folder, TrainedCreditModel model)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, OnnxFileName), model.Onnx);
        File.WriteAllText(Path.Combine(folder, ModelCard.FileName), model.Card.ToJson() + "\n");
    }

    private string ModelFolder(string modelId) => Path.Combine(Root, modelId);
}
