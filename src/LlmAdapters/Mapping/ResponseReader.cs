using System.Text.Json;
using LlmAdapters.Internal;

namespace LlmAdapters.Mapping;

/// <summary>
/// Reads a whole JSON response's <c>resp</c> items, and the values its in-band error check needs, in one forward pass of
/// <see cref="Utf8JsonReader"/>: no document of the whole body; the values found become the elements of one small
/// document, parsed once.
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
    private readonly bool _noConverters;

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
        _noConverters = map.Fields.All(f => f.Converter is null);
    }

    /// <summary>
    /// Maps the items of <paramref name="body"/>. False when one pass cannot decide: the body is not one JSON value, a
    /// path has a negative index, or the body is an in-band error (the caller then reads it as a document, which also
    /// finds the vendor's message).
    /// </summary>
    /// <remarks>
    /// The text is decoded at once, and every other value is checked to be text (so that making it later cannot fail).
    /// The other items become elements only when first asked for, unless an item has a
    /// converter (its errors belong to the call) or the text is not a JSON string (its rules are <see cref="ResponseMap.TextOf"/>'s).
    /// </remarks>
    /// <exception cref="LlmException">A converter rejected a value, or a value holds a string that is not text.</exception>
    public bool TryMap(byte[] body, string callDescription, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MappedFields? mapped)
    {
        mapped = null;
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

        if (_map.HasNamedText && !AnyFound(_fieldSlots[_map.TextIndex], starts))
        {
            return false; // no text item at all: the caller reads the document and says so
        }

        // Per field: where its chosen value (the first alternative found and not null) lies in the body, -1 for none.
        var fieldCount = _map.Fields.Count;
        var valueStarts = new int[fieldCount];
        var valueLengths = new int[fieldCount];
        for (var i = 0; i < fieldCount; i++)
        {
            var slot = FirstNonNullSlot(_fieldSlots[i], body, starts);
            valueStarts[i] = slot < 0 ? -1 : starts[slot];
            valueLengths[i] = slot < 0 ? 0 : lengths[slot];
        }

        var textIndex = _map.TextIndex;
        var textAsString = _noConverters && (textIndex < 0 || valueStarts[textIndex] < 0 || body[valueStarts[textIndex]] == (byte)'"');

        // Every value is checked to be text now, so that reading the items later (Fields, Usage, FinishReason, made
        // only then) cannot fail: a string the reader accepted may still be invalid UTF-8. The text read as a string
        // below is checked by reading it.
        for (var i = 0; i < fieldCount; i++)
        {
            if (valueStarts[i] >= 0 && !(textAsString && i == textIndex) && !JsonValues.IsText(body.AsSpan(valueStarts[i], valueLengths[i])))
            {
                throw ResponseMap.NotText(_map.Fields[i], callDescription);
            }
        }

        if (textAsString)
        {
            var text = textIndex < 0 || valueStarts[textIndex] < 0 ? string.Empty : ReadString(body.AsSpan(valueStarts[textIndex], valueLengths[textIndex]), _map.Fields[textIndex], callDescription);
            mapped = new MappedFields(text, _map, body, valueStarts, valueLengths);
            return true;
        }

        var fields = MappedFields.Make(_map, body, valueStarts, valueLengths, callDescription);
        mapped = new MappedFields(_map.TextFrom(fields), fields);
        return true;
    }

    /// <summary>
    /// The values at <paramref name="starts"/> (those not -1), in order, as the elements of one small document parsed once
    /// from "[v0,v1,...]": one document rather than one per value (each document has a fixed cost).
    /// </summary>
    internal static JsonElement.ArrayEnumerator ParseTogether(ReadOnlySpan<byte> body, int[] starts, int[] lengths)
    {
        var bytes = 2;
        for (var i = 0; i < starts.Length; i++)
        {
            bytes += starts[i] < 0 ? 0 : lengths[i] + 1;
        }

        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(bytes);
        try
        {
            var at = 0;
            rented[at++] = (byte)'[';
            for (var i = 0; i < starts.Length; i++)
            {
                if (starts[i] < 0)
                {
                    continue;
                }

                if (at > 1)
                {
                    rented[at++] = (byte)',';
                }

                body.Slice(starts[i], lengths[i]).CopyTo(rented.AsSpan(at));
                at += lengths[i];
            }

            rented[at++] = (byte)']';

            // The body was read and checked already: a plain reader, and a standalone copy so the buffer can go back.
            var reader = new Utf8JsonReader(rented.AsSpan(0, at), new JsonReaderOptions { MaxDepth = 129 });
            return JsonElement.ParseValue(ref reader).EnumerateArray();
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>A JSON string's text.</summary>
    /// <exception cref="LlmException">The string is not text (invalid UTF-8, or half a surrogate pair).</exception>
    private static string ReadString(ReadOnlySpan<byte> json, ResponseField field, string callDescription)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw ResponseMap.NotText(field, callDescription);
        }
    }

    private static bool AnyFound(int[] slots, ReadOnlySpan<int> starts)
    {
        foreach (var slot in slots)
        {
            if (starts[slot] >= 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The first slot that is found and not null; -1 when none.</summary>
    private static int FirstNonNullSlot(int[] slots, ReadOnlySpan<byte> body, ReadOnlySpan<int> starts)
    {
        foreach (var slot in slots)
        {
            if (starts[slot] >= 0 && body[starts[slot]] != (byte)'n')
            {
                return slot;
            }
        }

        return -1;
    }

    /// <summary>The first slot's value that is found and not null, as its own element; default when none.</summary>
    private static JsonElement FirstNonNull(int[] slots, ReadOnlySpan<byte> body, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths)
    {
        var slot = FirstNonNullSlot(slots, body, starts);
        return slot < 0 ? default : JsonValues.Parse(body.Slice(starts[slot], lengths[slot]));
    }
}
