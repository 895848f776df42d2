using System.Text.Json;

namespace LlmAdapters.Mapping;

/// <summary>
/// A compiled <c>tool_call</c> key of a <c>resp</c> item: where a tool call's key, id, name and arguments lie inside each
/// object the item's path finds (an array of them, or one).
/// </summary>
/// <remarks>Immutable and thread-safe. The paths are relative to each object; <see cref="Index"/> and <see cref="Id"/> are optional.</remarks>
internal sealed class ToolCallPaths(KeyPath? index, KeyPath? id, KeyPath name, KeyPath arguments)
{
    /// <summary>Where the key is that pieces of one streamed call share (OpenAI's <c>index</c>); null when each object with a name starts a new call.</summary>
    public KeyPath? Index { get; } = index;

    /// <summary>The call's id; null when the vendor gives none (ids are then made: <c>call_0</c>, <c>call_1</c>, ...).</summary>
    public KeyPath? Id { get; } = id;

    public KeyPath Name { get; } = name;

    /// <summary>The arguments: a string of JSON (pieces of it are joined in streams), or a JSON object.</summary>
    public KeyPath Arguments { get; } = arguments;

    /// <summary>The value at <paramref name="path"/> in <paramref name="fragment"/>, when it is there and not null.</summary>
    public static bool TryGet(KeyPath? path, JsonElement fragment, out JsonElement value)
    {
        if (path is not null && path.TryEvaluate(fragment, out value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
        {
            return true;
        }

        value = default;
        return false;
    }
}
