using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LoanOffers.Scoring.Models;

/// <summary>
/// Serves the active version of every model in a <see cref="ModelStore"/>, one <see cref="OnnxCreditModel"/> (one
/// ONNX Runtime session) per loaded version. Every model is checked against its card when loaded; at start a bad
/// model stops the silo with the reason, later a bad new version is logged and the current one keeps serving.
/// A version activated in the store (promotion, rollback, or <see cref="Activate"/>) replaces the served one
/// without a restart: requests already holding the old version finish with it, and it is released after
/// <see cref="ScoringOptions.RetiredModelGrace"/>.
/// </summary>
public sealed partial class OnnxCreditModelRegistry : ICreditModelRegistry, IDisposable
{
    private readonly ModelStore _store;
    private readonly ILogger _logger;
    private readonly TimeSpan _retiredGrace;
    private readonly Timer? _reloadTimer;
    private readonly Lock _swapGate = new();
    private readonly List<(OnnxCreditModel Model, DateTimeOffset RetiredAt)> _retired = [];
    private volatile ImmutableDictionary<string, OnnxCreditModel> _active = ImmutableDictionary<string, OnnxCreditModel>.Empty;

    public OnnxCreditModelRegistry(IOptions<ScoringOptions> options, ILogger<OnnxCreditModelRegistry> logger)
        : this(
            new ModelStore(options.Value.ModelDirectory ?? throw new InvalidOperationException($"{nameof(ScoringOptions)}.{nameof(ScoringOptions.ModelDirectory)} is not set.")),
            logger,
            options.Value.ModelReloadInterval,
            options.Value.RetiredModelGrace)
    {
    }

    /// <param name="reloadInterval">How often to look for activated versions; <see cref="Timeout.InfiniteTimeSpan"/> for only explicit <see cref="Reload"/>.</param>
    /// <exception cref="ModelLoadException">A model in the store does not load or does not match its card.</exception>
    public OnnxCreditModelRegistry(ModelStore store, ILogger logger, TimeSpan reloadInterval, TimeSpan retiredGrace)
    {
        _store = store;
        _logger = logger;
        _retiredGrace = retiredGrace;
        var loaded = ImmutableDictionary.CreateBuilder<string, OnnxCreditModel>(StringComparer.Ordinal);
        try
        {
            foreach (var modelId in store.ModelIds())
            {
                var model = LoadVersion(modelId, store.ActiveVersion(modelId)!);
                loaded[modelId] = model;
                LogLoaded(_logger, modelId, model.Version, string.Join(",", model.Features));
            }
        }
        catch
        {
            foreach (var model in loaded.Values)
            {
                model.Dispose();
            }

            throw;
        }

        if (loaded.Count == 0)
        {
            throw new ModelLoadException($"No trained models under {store.Root} (expected <modelId>/<version>/{ModelCard.FileName} and {ModelStore.OnnxFileName}).");
        }

        _active = loaded.ToImmutable();
        if (reloadInterval != Timeout.InfiniteTimeSpan)
        {
            _reloadTimer = new Timer(_ => ReloadQuietly(), null, reloadInterval, reloadInterval);
        }
    }

    public ICreditModel? Find(string modelId) => _active.GetValueOrDefault(modelId);

    public ICreditModel Get(string modelId) =>
        Find(modelId) ?? throw new KeyNotFoundException($"No trained model '{modelId}' under {_store.Root}; loaded models: {string.Join(", ", _active.Keys.Order(StringComparer.Ordinal))}.");

    /// <summary>The cards of the versions served now.</summary>
    public IReadOnlyList<ModelCard> ActiveModels => [.. _active.Values.Select(m => m.Card!).OrderBy(c => c.ModelId, StringComparer.Ordinal)];

    /// <summary>Checks <paramref name="version"/> loads and matches its card, then makes it the served version, in the store and here.</summary>
    /// <exception cref="ModelLoadException">The version is broken; nothing changed.</exception>
    public ModelCard Activate(string modelId, string version)
    {
        lock (_swapGate)
        {
            var model = LoadVersion(modelId, version);
            _store.Activate(modelId, version);
            Swap(modelId, model);
            return model.Card!;
        }
    }

    /// <summary>Serves each model's active version from the store, loading those that changed, and releases retired versions past their grace.</summary>
    public void Reload()
    {
        lock (_swapGate)
        {
            foreach (var modelId in _store.ModelIds())
            {
                var version = _store.ActiveVersion(modelId);
                if (version is null || _active.TryGetValue(modelId, out var current) && current.Version == version)
                {
                    continue;
                }

                try
                {
                    Swap(modelId, LoadVersion(modelId, version));
                }
                catch (ModelLoadException failure)
                {
                    LogLoadFailed(_logger, failure, modelId, version);
                }
            }

            var now = DateTimeOffset.UtcNow;
            foreach (var expired in _retired.Where(r => now - r.RetiredAt >= _retiredGrace).ToList())
            {
                expired.Model.Dispose();
                _retired.Remove(expired);
            }
        }
    }

    public void Dispose()
    {
        _reloadTimer?.Dispose();
        lock (_swapGate)
        {
            foreach (var model in _active.Values.Concat(_retired.Select(r => r.Model)))
            {
                model.Dispose();
            }

            _active = ImmutableDictionary<string, OnnxCreditModel>.Empty;
            _retired.Clear();
        }
    }

    private void ReloadQuietly()
    {
        try
        {
            Reload();
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
        {
            LogReloadFailed(_logger, failure, _store.Root);
        }
    }

    private void Swap(string modelId, OnnxCreditModel model)
    {
        if (_active.TryGetValue(modelId, out var previous))
        {
            _retired.Add((previous, DateTimeOffset.UtcNow));
        }

        _active = _active.SetItem(modelId, model);
        LogSwapped(_logger, modelId, previous?.Version ?? "(none)", model.Version);
    }

    private OnnxCreditModel LoadVersion(string modelId, string version)
    {
        var folder = _store.VersionFolder(modelId, version);
        var model = OnnxCreditModel.Load(folder);
        if (model.ModelId != modelId || model.Version != version)
        {
            model.Dispose();
            throw new ModelLoadException($"The card at {folder} names model {model.ModelId} version {model.Version}; the folder says {modelId} version {version}.");
        }

        return model;
    }

    [LoggerMessage(1, LogLevel.Information, "Loaded credit model {ModelId} version {Version} (features {Features})")]
    private static partial void LogLoaded(ILogger logger, string modelId, string version, string features);

    [LoggerMessage(2, LogLevel.Information, "Credit model {ModelId} now serves version {Version} (was {PreviousVersion})")]
    private static partial void LogSwapped(ILogger logger, string modelId, string previousVersion, string version);

    [LoggerMessage(3, LogLevel.Error, "Credit model {ModelId} version {Version} was activated but does not load; the current version keeps serving")]
    private static partial void LogLoadFailed(ILogger logger, Exception failure, string modelId, string version);

    [LoggerMessage(4, LogLevel.Warning, "Could not read the model folder {Root}; will look again")]
    private static partial void LogReloadFailed(ILogger logger, Exception failure, string root);
}
