using System.Text.Json;

namespace LlmAdapters.Mapping;

/// <summary>A compiled <c>resp</c> item: a field name, the key path (or alternatives, <c>a | b</c>) it comes from, and an optional converter.</summary>
internal sealed class ResponseField(string name, IReadOnlyList<KeyPath> paths, ILlmConverter? converter, bool join = false, ToolCallPaths? toolCall = null)
{
    /// <summary>The item's <c>tool_call</c> key: the value holds a vendor's tool calls (or a stream's pieces of them), read into the standard shape.</summary>
    public ToolCallPaths? ToolCall { get; } = toolCall;

    /// <summary>In streams, join the item's text across chunks (reasoning deltas) instead of keeping its last value.</summary>
    public bool Join { get; } = join;

    public string Name { get; } = name;

    /// <summary>The alternatives, tried in order: the first that finds a non-null value gives the field.</summary>
    public IReadOnlyList<KeyPath> Paths { get; } = paths;

    /// <summary>The path as written, for messages.</summary>
    public string PathText => string.Join(" | ", Paths.Select(p => p.Text));

    public ILlmConverter? Converter { get; } = converter;

    /// <summary>True when an alternative has a <c>[*]</c> projection: the value is a list, and as the text item it reads one element per line.</summary>
    public bool IsProjection { get; } = paths.Any(p => p.IsProjection);

    /// <summary>True when one of the paths finds a value, JSON null included (absent is not null).</summary>
    public bool IsPresent(JsonElement root)
    {
        foreach (var path in Paths)
        {
            if (path.TryEvaluate(root, out _))
            {
                return true;
            }
        }

        return false;
    }

    public bool TryEvaluate(JsonElement root, out JsonElement value)
    {
        foreach (var path in Paths)
        {
            if (path.TryEvaluate(root, out value) && value.ValueKind != JsonValueKind.Null)
            {
                return true;
            }
        }

        value = default;
        return false;
    }
}
