using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LoanOffers.Domain;

internal enum ConfigNodeKind { Null, Scalar, Mapping, Sequence }

/// <summary>A YAML or JSON value reduced to what binding needs, so both formats share one validator.</summary>
internal sealed class ConfigNode
{
    private ConfigNode(ConfigNodeKind kind, string? scalar = null, IReadOnlyList<KeyValuePair<string, ConfigNode>>? entries = null, IReadOnlyList<ConfigNode>? items = null)
    {
        Kind = kind;
        Scalar = scalar;
        Entries = entries ?? [];
        Items = items ?? [];
    }

    public ConfigNodeKind Kind { get; }

    public string? Scalar { get; }

    public IReadOnlyList<KeyValuePair<string, ConfigNode>> Entries { get; }

    public IReadOnlyList<ConfigNode> Items { get; }

    public static ConfigNode FromYaml(YamlNode node) => node switch
    {
        YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" } => new(ConfigNodeKind.Null),
        YamlScalarNode scalar => new(ConfigNodeKind.Scalar, scalar.Value ?? ""),
        YamlSequenceNode sequence => new(ConfigNodeKind.Sequence, items: [.. sequence.Children.Select(FromYaml)]),
        YamlMappingNode mapping => new(ConfigNodeKind.Mapping, entries:
        [
            .. mapping.Children.Select(e => KeyValuePair.Create(e.Key is YamlScalarNode key ? key.Value ?? "" : e.Key.ToString(), FromYaml(e.Value))),
        ]),
        _ => throw new YamlException(node.Start, node.End, "Aliases and tags are not supported in program configuration."),
    };

    public static ConfigNode FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null => new(ConfigNodeKind.Null),
        JsonValueKind.String => new(ConfigNodeKind.Scalar, element.GetString()),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => new(ConfigNodeKind.Scalar, element.GetRawText()),
        JsonValueKind.Array => new(ConfigNodeKind.Sequence, items: [.. element.EnumerateArray().Select(FromJson)]),
        JsonValueKind.Object => new(ConfigNodeKind.Mapping, entries: [.. element.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, FromJson(p.Value)))]),
        _ => new(ConfigNodeKind.Null),
    };
}
