using LoanOffers.Domain;
using LoanOffers.Scoring.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace LoanOffers.Scoring.Models;

/// <summary>A model, its card or its files do not agree; the message names the model, the file and the difference.</summary>
public sealed class ModelLoadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// One version of one ONNX credit model: a single <see cref="InferenceSession"/>, created once and shared by every
/// caller (ONNX Runtime sessions are thread-safe). A batch runs as one call, with the input and output tensors bound
/// straight to the caller's memory through the OrtValue API. Disposing retires the model: calls already running
/// finish, and the session is released after the last of them.
/// </summary>
public sealed class OnnxCreditModel : ICreditModel, IDisposable
{
    private static readonly string[] InputNames = [TreeEnsembleOnnxExporter.InputName];
    private static readonly string[] OutputNames = [TreeEnsembleOnnxExporter.OutputName];

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly Lock _gate = new();
    private int _runningCalls;
    private bool _retired;
    private bool _released;

    /// <summary>Loads <c>model.onnx</c> and <c>model.json</c> from <paramref name="directory"/> and checks each against the other.</summary>
    /// <exception cref="ModelLoadException">The card is missing or unreadable, or the model does not match it.</exception>
    public static OnnxCreditModel Load(string directory)
    {
        var cardPath = Path.Combine(directory, ModelCard.FileName);
        var onnxPath = Path.Combine(directory, ModelStore.OnnxFileName);
        ModelCard card;
        byte[] onnx;
        try
        {
            card = ModelCard.FromJson(File.ReadAllText(cardPath));
            onnx = File.ReadAllBytes(onnxPath);
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            throw new ModelLoadException($"Model at {directory}: cannot read {ModelCard.FileName} and {ModelStore.OnnxFileName}: {failure.Message}", failure);
        }

        var hash = Training.CreditModelTrainer.Sha256(onnx);
        if (hash != card.OnnxSha256)
        {
            throw new ModelLoadException($"Model {card.ModelId} {card.Version} at {directory}: {ModelStore.OnnxFileName} has hash {hash} but its card says {card.OnnxSha256}; the file was replaced without its card.");
        }

        return new OnnxCreditModel(onnx, card.ModelId, card.Version, card.Role, card.Features, card.FeatureReferences ?? [], card);
    }

    internal OnnxCreditModel(byte[] onnx, string modelId, string version, string role, IReadOnlyList<string> features, IReadOnlyList<float> references, ModelCard? card = null)
    {
        ModelId = modelId;
        Version = version;
        Role = role;
        Features = [.. features];
        Card = card;
        if (!ModelRoles.All.Contains(role))
        {
            throw new ModelLoadException($"Model {modelId} {version}: its card's role '{role}' is not one of {string.Join(", ", ModelRoles.All)}.");
        }

        var badNames = Features.Where(f => !ProgramConfigParser.FeatureName().IsMatch(f)).ToList();
        if (Features.Count == 0 || badNames.Count > 0 || Features.Distinct().Count() != Features.Count)
        {
            throw new ModelLoadException($"Model {modelId} {version}: its features [{string.Join(", ", Features)}] must be distinct column names (letters, digits and underscores).");
        }

        // One thread per call: the silo runs many grains on two cores, and a 1000-row tree batch is about a millisecond.
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        try
        {
            _session = new InferenceSession(onnx, options);
        }
        catch (OnnxRuntimeException failure)
        {
            throw new ModelLoadException($"Model {modelId} {version}: ONNX Runtime cannot load it: {failure.Message}", failure);
        }

        try
        {
            CheckSignature();
            FeatureReferences = references.Count == Features.Count
                ? [.. references]
                : throw new ModelLoadException($"Model {modelId} {version}: {references.Count} reference values (featureReferences) for its {Features.Count} features; retrain it to record them.");
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    public string ModelId { get; }

    public string Version { get; }

    public string Role { get; }

    public IReadOnlyList<string> Features { get; }

    /// <summary>The card the model was loaded with (null only while the trainer checks parity before writing one).</summary>
    public ModelCard? Card { get; }

    public IReadOnlyList<float> FeatureReferences { get; }

    public unsafe void Score(ReadOnlySpan<float> features, int rows, Span<float> probabilities)
    {
        var width = Features.Count;
        if (features.Length < rows * width || probabilities.Length < rows)
        {
            throw new ArgumentException($"{rows} rows of {width} features need {rows * width} values and {rows} outputs; got {features.Length} and {probabilities.Length}.");
        }

        if (rows == 0)
        {
            return;
        }

        Enter();
        try
        {
            fixed (float* input = features)
            fixed (float* output = probabilities)
            {
                using var inputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float, [rows, width], (nint)input, (long)rows * width * sizeof(float));
                using var outputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float, [rows, 1], (nint)output, (long)rows * sizeof(float));
                _session.Run(_runOptions, InputNames, [inputValue], OutputNames, [outputValue]);
            }
        }
        finally
        {
            Exit();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _retired = true;
            ReleaseIfIdle();
        }
    }

    private void Enter()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_released, $"{ModelId} {Version}");
            _runningCalls++;
        }
    }

    private void Exit()
    {
        lock (_gate)
        {
            _runningCalls--;
            ReleaseIfIdle();
        }
    }

    private void ReleaseIfIdle()
    {
        if (_retired && _runningCalls == 0 && !_released)
        {
            _released = true;
            _session.Dispose();
            _runOptions.Dispose();
        }
    }

    private void CheckSignature()
    {
        var name = $"Model {ModelId} {Version}";
        if (_session.InputMetadata.Count != 1 || !_session.InputMetadata.TryGetValue(TreeEnsembleOnnxExporter.InputName, out var input))
        {
            throw new ModelLoadException($"{name}: expected one input named '{TreeEnsembleOnnxExporter.InputName}', found [{string.Join(", ", _session.InputMetadata.Keys)}].");
        }

        if (input.ElementDataType != TensorElementType.Float || input.Dimensions.Length != 2 || input.Dimensions[1] != Features.Count)
        {
            throw new ModelLoadException($"{name}: input '{TreeEnsembleOnnxExporter.InputName}' is {input.ElementDataType} [{string.Join(", ", input.Dimensions)}], but the card lists {Features.Count} features [{string.Join(", ", Features)}], so it must be Float [N, {Features.Count}].");
        }

        if (!_session.OutputMetadata.TryGetValue(TreeEnsembleOnnxExporter.OutputName, out var output) || output.ElementDataType != TensorElementType.Float)
        {
            throw new ModelLoadException($"{name}: expected a Float output named '{TreeEnsembleOnnxExporter.OutputName}', found [{string.Join(", ", _session.OutputMetadata.Keys)}].");
        }

        var declared = _session.ModelMetadata.CustomMetadataMap.GetValueOrDefault(TreeEnsembleOnnxExporter.FeaturesMetadataKey);
        if (declared != string.Join(',', Features))
        {
            throw new ModelLoadException($"{name}: the ONNX file was exported for features [{declared}] but the card lists [{string.Join(",", Features)}]; input order must match.");
        }
    }
}
