using System.Text;
using System.Text.Json;
using LlmAdapters.Internal;

namespace LlmAdapters.Mapping;

/// <summary>
/// Builds the standard tool calls (<c>[{"id", "name", "arguments": {...}}]</c>) from a vendor's objects found by a
/// <c>tool_call</c> item: a whole response's list at once, or a stream's pieces chunk by chunk.
/// </summary>
/// <remarks>
/// Pieces with the same <see cref="ToolCallPaths.Index"/> value build one call: the first id and name found are kept, and
/// argument strings are joined in order (OpenAI's <c>function.arguments</c> fragments, Anthropic's <c>partial_json</c>).
/// Without an index, each object with a name starts a call and an object without one continues the last. An object in
/// which none of id, name and arguments is found (a text block, a text part) is passed over. Per response; not thread-safe.
/// </remarks>
internal sealed class ToolCallAccumulator(ToolCallPaths paths, long maxArgumentChars = long.MaxValue)
{
    private readonly List<Entry> _calls = [];

    /// <summary>True when no call has been started.</summary>
    public bool IsEmpty => _calls.Count == 0;

    /// <summary>The standard tool calls of a whole response's value (what a <c>tool_call</c> item's path found), or JSON null when it holds none.</summary>
    /// <exception cref="FormatException">A call has no name, or its arguments are not a JSON object; the message says which and what arrived.</exception>
    public static JsonElement Normalize(ToolCallPaths paths, JsonElement value)
    {
        var accumulator = new ToolCallAccumulator(paths);
        accumulator.Add(value);
        return accumulator.ToJson();
    }

    /// <summary>Adds the objects of one chunk (or of a whole response): an array of them, or one.</summary>
    /// <exception cref="FormatException">The joined arguments grew past the limit, or a call got both a JSON object and pieces of text as arguments.</exception>
    public void Add(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray())
            {
                AddOne(item);
            }
        }
        else
        {
            AddOne(value);
        }
    }

    private void AddOne(JsonElement fragment)
    {
        if (fragment.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var hasId = ToolCallPaths.TryGet(paths.Id, fragment, out var id);
        var hasName = ToolCallPaths.TryGet(paths.Name, fragment, out var name);
        var hasArguments = ToolCallPaths.TryGet(paths.Arguments, fragment, out var arguments);
        if (!hasId && !hasName && !hasArguments)
        {
            return; // a text block or part: not a tool call
        }

        Entry? entry = null;
        if (ToolCallPaths.TryGet(paths.Index, fragment, out var index))
        {
            var key = JsonValues.ToText(index);
            foreach (var call in _calls)
            {
                if (call.Key == key)
                {
                    entry = call;
                    break;
                }
            }

            if (entry is null)
            {
                _calls.Add(entry = new Entry(key));
            }
        }
        else if (hasName || _calls.Count == 0)
        {
            _calls.Add(entry = new Entry(null));
        }
        else
        {
            entry = _calls[^1];
        }

        if (hasId && entry.Id is null)
        {
            entry.Id = JsonValues.ToText(id);
        }

        if (hasName && entry.Name is null)
        {
            entry.Name = JsonValues.ToText(name);
        }

        if (!hasArguments)
        {
            return;
        }

        if (arguments.ValueKind == JsonValueKind.String)
        {
            if (entry.Whole is not null)
            {
                throw new FormatException($"tool call '{entry.Name}' got its arguments as a JSON object and then as text");
            }

            var piece = arguments.GetString()!;
            if (entry.Text.Length + (long)piece.Length > maxArgumentChars)
            {
                throw new FormatException($"the arguments of tool call '{entry.Name}', joined across chunks, are longer than the profile's MaxResponseBytes ({maxArgumentChars})");
            }

            entry.Text.Append(piece);
        }
        else
        {
            if (entry.Text.Length > 0)
            {
                throw new FormatException($"tool call '{entry.Name}' got its arguments as text and then as a JSON {arguments.ValueKind.ToString().ToLowerInvariant()}");
            }

            entry.Whole = arguments.Clone();
        }
    }

    /// <summary>The calls so far in the standard shape, or JSON null when there are none.</summary>
    /// <exception cref="FormatException">A call has no name, or its arguments are not a JSON object (a stream cut short, a vendor's bad JSON).</exception>
    public JsonElement ToJson()
    {
        if (_calls.Count == 0)
        {
            return JsonValues.Null;
        }

        var arguments = new JsonElement[_calls.Count];
        for (var i = 0; i < _calls.Count; i++)
        {
            var call = _calls[i];
            if (string.IsNullOrEmpty(call.Name))
            {
                throw new FormatException($"tool call {i + 1}{(call.Id is null ? string.Empty : $" (id '{call.Id}')")} has no name at '{paths.Name.Text}'");
            }

            arguments[i] = call.Whole ?? ParseArguments(call);
            if (arguments[i].ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"the arguments of tool call '{call.Name}' are a JSON {arguments[i].ValueKind.ToString().ToLowerInvariant()}, not the JSON object a function takes: {Excerpt(arguments[i].GetRawText())}");
            }

            if (!JsonValues.IsText(arguments[i]))
            {
                // Valid JSON (an escaped half of a surrogate pair) that is not text: no string of it could be given to
                // the function, and writing the calls threw the reader's InvalidOperationException.
                throw new FormatException($"the arguments of tool call '{call.Name}' hold a string that is not text (invalid UTF-8, or half a surrogate pair): {Excerpt(arguments[i].GetRawText())}");
            }
        }

        return JsonValues.Write((_calls, arguments), static (w, s) =>
        {
            w.WriteStartArray();
            for (var i = 0; i < s._calls.Count; i++)
            {
                w.WriteStartObject();
                w.WriteString("id"u8, s._calls[i].Id ?? $"call_{i}");
                w.WriteString("name"u8, s._calls[i].Name);
                w.WritePropertyName("arguments"u8);
                s.arguments[i].WriteTo(w);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    private static JsonElement ParseArguments(Entry call)
    {
        var text = call.Text.ToString();
        if (string.IsNullOrWhiteSpace(text))
        {
            return EmptyObject; // a function without parameters (Anthropic streams no piece for it)
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new FormatException($"the arguments of tool call '{call.Name}' are not valid JSON ({e.Message.Split(" Path:")[0].TrimEnd('.')}), so the call may be cut short: {Excerpt(text)}", e);
        }
    }

    private static readonly JsonElement EmptyObject = JsonValues.Parse("{}"u8);

    private static string Excerpt(string text) => text.Length > 200 ? text[..200] + "…" : text;

    private sealed class Entry(string? key)
    {
        public string? Key { get; } = key;

        public string? Id { get; set; }

        public string? Name { get; set; }

        public StringBuilder Text { get; } = new();

        public JsonElement? Whole { get; set; }
    }
}
