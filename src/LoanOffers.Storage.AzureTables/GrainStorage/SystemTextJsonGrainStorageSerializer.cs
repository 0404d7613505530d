using System.Text.Json;
using System.Text.Json.Serialization;
using Orleans.Storage;

namespace LoanOffers.Storage.AzureTables;

/// <summary>
/// The provider's default state format: plain JSON with no type names, so a row keeps reading when its record
/// gains a field (it takes its default), loses one (ignored), or moves to another namespace. Enums are stored by
/// name so reordering members cannot change meaning.
/// </summary>
public sealed class SystemTextJsonGrainStorageSerializer(JsonSerializerOptions? options = null) : IGrainStorageSerializer
{
    public static JsonSerializerOptions DefaultOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    private readonly JsonSerializerOptions _options = options ?? DefaultOptions;

    public BinaryData Serialize<T>(T? input) => BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(input, _options));

    public T Deserialize<T>(BinaryData input) =>
        JsonSerializer.Deserialize<T>(input.ToMemory().Span, _options)
        ?? throw new InvalidOperationException($"Stored state deserialized to null for {typeof(T)}.");
}
