using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;

namespace LoanOffers.Storage.AzureTables;

/// <summary>How the engine turns grain state into stored bytes, the same for its own store and Orleans' provider.</summary>
public static class GrainStateSerializers
{
    /// <summary>
    /// Orleans' System.Text.Json serializer: plain JSON with no type names, so a row keeps reading when its record gains
    /// a field (it takes its default), loses one (ignored) or moves namespace; enums are stored by name so reordering
    /// members cannot change their meaning. Only what can be set is stored: a computed property (a report made from
    /// the counts, a statement made from a code) is made again when read, never written into the row.
    /// </summary>
    public static IGrainStorageSerializer Json { get; } = CreateJson();

    private static SystemTextJsonGrainStorageSerializer CreateJson()
    {
        var options = new SystemTextJsonGrainStorageSerializerOptions();
        options.JsonSerializerOptions.Converters.Add(new JsonStringEnumConverter());
        options.JsonSerializerOptions.TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { StoredPropertiesOnly } };
        return new SystemTextJsonGrainStorageSerializer(Options.Create(options));
    }

    private static void StoredPropertiesOnly(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        foreach (var computed in type.Properties.Where(property => property.Set is null && property.AssociatedParameter is null).ToList())
        {
            type.Properties.Remove(computed);
        }
    }
}
