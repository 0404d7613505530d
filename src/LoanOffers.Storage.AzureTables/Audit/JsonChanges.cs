using System.Text.Json;

namespace LoanOffers.Storage.AzureTables;

/// <summary>What differs between two JSON documents, one line per changed value: <c>path: before → after</c>.</summary>
public static class JsonChanges
{
    private const int MaxChanges = 200;

    public static IReadOnlyList<string> Between(string? before, string? after)
    {
        using var old = before is null ? null : JsonDocument.Parse(before);
        using var current = after is null ? null : JsonDocument.Parse(after);
        var changes = new List<string>();
        Compare("$", old?.RootElement, current?.RootElement, changes);
        return changes;
    }

    private static void Compare(string path, JsonElement? before, JsonElement? after, List<string> changes)
    {
        if (changes.Count >= MaxChanges)
        {
            return;
        }

        if (before is { ValueKind: JsonValueKind.Object } oldObject && after is { ValueKind: JsonValueKind.Object } newObject)
        {
            var names = oldObject.EnumerateObject().Select(p => p.Name).Union(newObject.EnumerateObject().Select(p => p.Name), StringComparer.Ordinal);
            foreach (var name in names)
            {
                Compare(path == "$" ? name : $"{path}.{name}",
                    oldObject.TryGetProperty(name, out var o) ? o : null,
                    newObject.TryGetProperty(name, out var n) ? n : null,
                    changes);
            }

            return;
        }

        if (before is { ValueKind: JsonValueKind.Array } oldArray && after is { ValueKind: JsonValueKind.Array } newArray)
        {
            var length = Math.Max(oldArray.GetArrayLength(), newArray.GetArrayLength());
            for (var index = 0; index < length; index++)
            {
                Compare($"{path}[{index}]",
                    index < oldArray.GetArrayLength() ? oldArray[index] : null,
                    index < newArray.GetArrayLength() ? newArray[index] : null,
                    changes);
            }

            return;
        }

        var oldText = before?.GetRawText();
        var newText = after?.GetRawText();
        if (oldText != newText)
        {
            changes.Add($"{path}: {oldText ?? "(none)"} → {newText ?? "(none)"}");
        }
    }
}
