using System.Text.Json;
using LlmAdapters.Internal;

namespace LlmAdapters.Execution;

/// <summary>Fills the standard variables (<c>messages</c>, <c>prompt</c>, <c>system</c>, <c>model</c>, <c>max_tokens</c>, <c>temperature</c>, <c>images</c>, <c>videos</c>) from a request.</summary>
internal static class StandardVariables
{
    private static readonly string[] Names = ["messages", "prompt", "system", "model", "max_tokens", "temperature", "images", "videos"];

    /// <summary>The standard variables of a request, each built only when a template asks for it: a call that does not use <c>prompt</c> never builds it.</summary>
    public static IReadOnlyDictionary<string, JsonElement> From(LlmRequest request) => new Lazy(request);

    /// <summary>All standard variables that have a value.</summary>
    public static Dictionary<string, JsonElement> All(LlmRequest request)
    {
        var vars = new Dictionary<string, JsonElement>(Names.Length, StringComparer.Ordinal);
        for (var i = 0; i < Names.Length; i++)
        {
            if (Build(request, i) is { } value)
            {
                vars[Names[i]] = value;
            }
        }

        return vars;
    }

    /// <summary>The value of <c>Names[index]</c>, or null when the request gives it none.</summary>
    private static JsonElement? Build(LlmRequest request, int index) => index switch
    {
        0 => request.Messages.Count > 0 || request.Prompt is not null ? Messages(request) : null,
        1 => Prompt(request) is { } prompt ? JsonValues.String(prompt) : null,
        2 => System(request) is { } system ? JsonValues.String(system) : null,
        3 => request.Model is { } model ? JsonValues.String(model) : null,
        4 => request.MaxTokens is { } maxTokens ? JsonValues.Number(maxTokens) : null,
        5 => request.Temperature is { } temperature ? JsonValues.Number(temperature) : null,
        6 => AllImages(request) is { Count: > 0 } images ? Media(images) : null,
        _ => request.Videos.Count > 0 ? Media(request.Videos) : null,
    };

    private static string? System(LlmRequest request)
    {
        if (request.System is not null)
        {
            return request.System;
        }

        foreach (var m in request.Messages)
        {
            if (m.Role == "system")
            {
                return m.Content;
            }
        }

        return null;
    }

    private static string? Prompt(LlmRequest request)
    {
        if (request.Prompt is not null)
        {
            return request.Prompt;
        }

        for (var i = request.Messages.Count - 1; i >= 0; i--)
        {
            if (request.Messages[i].Role == "user")
            {
                return request.Messages[i].Content;
            }
        }

        return null;
    }

    private static JsonElement Messages(LlmRequest request) => JsonValues.Write(request, static (w, r) =>
    {
        w.WriteStartArray();
        if (r.System is not null && (r.Messages.Count == 0 || r.Messages[0].Role != "system"))
        {
            JsonValues.WriteMessage(w, LlmMessage.System(r.System));
        }

        // LlmRequest.Images belong to the last user message (the question about them).
        var lastUser = -1;
        for (var i = r.Messages.Count - 1; i >= 0; i--)
        {
            if (r.Messages[i].Role == "user")
            {
                lastUser = i;
                break;
            }
        }

        for (var i = 0; i < r.Messages.Count; i++)
        {
            JsonValues.WriteMessage(w, r.Messages[i], i == lastUser ? r.Images : null);
        }

        if (r.Messages.Count == 0)
        {
            // A prompt alone is a one-turn chat, so chat adapters work with LlmRequest { Prompt = ... }.
            JsonValues.WriteMessage(w, LlmMessage.User(r.Prompt!), r.Images);
        }

        w.WriteEndArray();
    });

    /// <summary>Every image of the request: those of its messages, then <see cref="LlmRequest.Images"/>.</summary>
    public static IReadOnlyList<LlmMedia> AllImages(LlmRequest request)
    {
        var any = false;
        foreach (var m in request.Messages)
        {
            any |= m.Images.Count > 0;
        }

        return any ? [.. request.Messages.SelectMany(m => m.Images), .. request.Images] : request.Images;
    }

    public static Dictionary<string, JsonElement>? FromUser(IReadOnlyDictionary<string, object?> variables)
    {
        if (variables.Count == 0)
        {
            return null;
        }

        var result = new Dictionary<string, JsonElement>(variables.Count, StringComparer.Ordinal);
        foreach (var (name, value) in variables)
        {
            result[name] = JsonValues.FromObject(value, name);
        }

        return result;
    }

    private static JsonElement Media(IReadOnlyList<LlmMedia> media) => JsonValues.Write(media, static (w, items) =>
    {
        w.WriteStartArray();
        foreach (var item in items)
        {
            JsonValues.WriteMedia(w, item);
        }

        w.WriteEndArray();
    });

    /// <summary>A read-only view that builds a standard variable on first use and keeps it for the rest of the call.</summary>
    /// <remarks>One per call, used by that call only (a retry reuses it): not thread-safe, and need not be.</remarks>
    private sealed class Lazy(LlmRequest request) : IReadOnlyDictionary<string, JsonElement>
    {
        private readonly JsonElement[] _values = new JsonElement[Names.Length];
        private int _built; // bit i: Names[i] was built
        private int _present; // bit i: Names[i] has a value

        public bool TryGetValue(string key, out JsonElement value)
        {
            var index = Array.IndexOf(Names, key);
            if (index < 0)
            {
                value = default;
                return false;
            }

            var bit = 1 << index;
            if ((_built & bit) == 0)
            {
                if (Build(request, index) is { } built)
                {
                    _values[index] = built;
                    _present |= bit;
                }

                _built |= bit;
            }

            value = _values[index];
            return (_present & bit) != 0;
        }

        public JsonElement this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

        public IEnumerable<string> Keys => All(request).Keys;

        public IEnumerable<JsonElement> Values => All(request).Values;

        public int Count => All(request).Count;

        public bool ContainsKey(string key) => TryGetValue(key, out _);

        public IEnumerator<KeyValuePair<string, JsonElement>> GetEnumerator() => All(request).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
