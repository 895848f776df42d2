using System.Text.Json;
using LlmAdapters.Internal;

namespace LlmAdapters.Compilation;

/// <summary>
/// Reads a whole JSON response's <c>resp</c> items, and the values its in-band error check needs, in one forward pass of
/// <see cref="Utf8JsonReader"/>: no document of the whole body, only each found value as its own small element.
/// </summary>
/// <remarks>Built once per call plan; immutable and thread-safe. Slots: the items' alternatives in order, then the error message and code paths.</remarks>
internal sealed class ResponseReader
{
    private readonly ResponseMap _map;
    private readonly ErrorMap _error;
    private readonly JsonPathSet _paths;
    private readonly int[][] _fieldSlots;
    private readonly int[] _messageSlots;
    private readonly int[] _codeSlots;

    public ResponseReader(ResponseMap map, ErrorMap error)
    {
        _map = map;
        _error = error;
        var paths = new List<KeyPath?>();
        _fieldSlots = new int[map.Fields.Count][];
        for (var i = 0; i < map.Fields.Count; i++)
        {
            var slots = new int[map.Fields[i].Paths.Count];
            for (var j = 0; j < slots.Length; j++)
            {
                slots[j] = paths.Count;
                paths.Add(map.Fields[i].Paths[j]);
            }

            _fieldSlots[i] = slots;
        }

        _messageSlots = [.. error.MessagePaths.Select((_, i) => paths.Count + i)];
        paths.AddRange(error.MessagePaths);
        _codeSlots = [.. error.CodePaths.Select((_, i) => paths.Count + i)];
        paths.AddRange(error.CodePaths);
        _paths = JsonPathSet.Build(paths);
    }

    /// <summary>
    /// Maps the items of <paramref name="body"/>. False when one pass cannot decide: the body is not one JSON value, a
    /// path has a negative index, or the body is an in-band error (the caller then reads it as a document, which also
    /// finds the vendor's message).
    /// </summary>
    /// <exception cref="LlmException">A converter rejected a value.</exception>
    public bool TryMap(ReadOnlySpan<byte> body, string callDescription, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Dictionary<string, JsonElement>? fields)
    {
        fields = null;
        if (_paths.NeedsDocument)
        {
            return false;
        }

        var count = _paths.SlotCount;
        Span<int> starts = count <= 32 ? stackalloc int[count] : new int[count];
        Span<int> lengths = count <= 32 ? stackalloc int[count] : new int[count];
        try
        {
            _paths.Find(body, starts, lengths, maxDepth: 128);
        }
        catch (JsonException)
        {
            return false;
        }

        if (_error.ChecksSuccessResponses && _error.IsInBandError(FirstNonNull(_codeSlots, body, starts, lengths), FirstNonNull(_messageSlots, body, starts, lengths)))
        {
            return false;
        }

        fields = new Dictionary<string, JsonElement>(_map.Fields.Count, StringComparer.Ordinal);
        for (var i = 0; i < _map.Fields.Count; i++)
        {
            var field = _map.Fields[i];
            var value = FirstNonNull(_fieldSlots[i], body, starts, lengths);
            fields[field.Name] = value.ValueKind == JsonValueKind.Undefined ? JsonValues.Null : ResponseMap.Convert(field, value, callDescription);
        }

        return true;
    }

    /// <summary>The first slot's value that is found and not null, as its own element; default when none.</summary>
    private static JsonElement FirstNonNull(int[] slots, ReadOnlySpan<byte> body, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths)
    {
        foreach (var slot in slots)
        {
            if (starts[slot] >= 0 && body[starts[slot]] != (byte)'n')
            {
                return JsonValues.Parse(body.Slice(starts[slot], lengths[slot]));
            }
        }

        return default;
    }
}
