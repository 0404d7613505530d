using System.Text.Json;
using System.Text.Json.Serialization;

namespace LoanOffers.Abstractions;

/// <summary>The JSON shape of the v1 API, shared by the web host and the grains that pre-serialize their answers.</summary>
public static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.Converters.Add(new JsonStringEnumConverter());
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        // Requests and answers of this API are a few levels deep; a deeper document is hostile, not data.
        options.MaxDepth = 16;
        return options;
    }
}
