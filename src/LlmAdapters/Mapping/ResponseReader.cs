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
    private readonly SlotLayout _slots;
    private readonly int[] _convertedFields;

    public ResponseReader(ResponseMap map, ErrorMap error)
    {
        _map = map;
        _error = error;
        _slots = new SlotLayout(map, error);
        _convertedFields = [.. Enumerable.Range(0, map.Fields.Length).Where(i => map.Fields[i].Converter is not null || map.Fields[i].ToolCall is not null)];
    }

    /// <summary>
    /// Maps the items of <paramref name="body"/>. False when one pass cannot decide: the body is not one JSON value, a
    /// path has a negative index, or the body is an in-band error (the caller then reads it as a document, which also
    /// finds the vendor's message).
    /// </summary>
    /// <remarks>
    /// The text is decoded at once, and every other value is checked to be text (so that making it later cannot fail).
    /// The other items become elements only when first asked for, unless an item with a converter or tool calls has a
    /// value in this body (its errors belong to the call) or the text is not a JSON string (its rules are <see cref="ResponseMap.TextOf(JsonElement)"/>'s).
    /// </remarks>
    /// <exception cref="LlmException">A converter rejected a value, or a value holds a string that is not text.</exception>
    public bool TryMap(byte[] body, string callDescription, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MappedFields? mapped)
    {
        mapped = null;
        var paths = _slots.Paths;
        if (paths.NeedsDocument)
        {
            return false;
        }

        var count = paths.SlotCount;
        Span<int> starts = count <= 32 ? stackalloc int[count] : new int[count];
        Span<int> lengths = count <= 32 ? stackalloc int[count] : new int[count];
        try
        {
            paths.Find(body, starts, lengths, maxDepth: 128);
        }
        catch (JsonException)
        {
            return false;
        }

        var values = new SlotValues(body, starts, lengths);
        if (_error.ChecksSuccessResponses && _error.IsInBandError(values.FirstNonNull(_slots.ErrorCodeSlots), values.FirstNonNull(_slots.ErrorMessageSlots)))
        {
            return false;
        }

        if (_map.HasNamedText && !values.AnyFound(_slots.FieldSlots[_map.TextIndex]))
        {
            return false; // no text item at all: the caller reads the document and says so
        }

        // Per field: where its chosen value (the first alternative found and not null) lies in the body, -1 for none.
        var fieldCount = _map.Fields.Length;
        var valueStarts = new int[fieldCount];
        var valueLengths = new int[fieldCount];
        for (var i = 0; i < fieldCount; i++)
        {
            // All alternatives absent or null: no value (the item reads as JSON null).
            var slot = values.FirstSlot(_slots.FieldSlots[i]);
            var found = slot >= 0 && body[starts[slot]] != (byte)'n';
            valueStarts[i] = found ? starts[slot] : -1;
            valueLengths[i] = found ? lengths[slot] : 0;
        }

        // Items with a converter (or tool calls) are converted now, since their errors belong to the call; when none
        // of them has a value in this body (an answer without tool calls, the usual one), nothing is left to convert.
        var noConversions = true;
        foreach (var i in _convertedFields)
        {
            noConversions &= valueStarts[i] < 0;
        }

        var textIndex = _map.TextIndex;
        var textAsString = noConversions && (textIndex < 0 || valueStarts[textIndex] < 0 || body[valueStarts[textIndex]] == (byte)'"');

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

}
