using System.Buffers;
using System.Text.Json;
using LlmAdapters.Internal;
using LlmAdapters.Mapping;

namespace LlmAdapters.Streaming;

/// <summary>Keeps the last non-null raw JSON value of every <c>resp</c> field across a stream's chunks, in reused buffers; JSON elements are built only at the end.</summary>
internal sealed class FieldAccumulator : IDisposable
{
    private readonly ResponseMap _map;
    private readonly byte[]?[] _values;
    private readonly int[] _lengths;
    private readonly System.Text.StringBuilder?[] _joined;
    private ToolCallAccumulator?[]? _toolCalls; // made for the first tool call piece: a call without one never pays for it

    private readonly long _maxJoinedChars;

    /// <param name="map">The call's resp items.</param>
    /// <param name="maxJoinedChars">The longest a joined item may grow (MaxResponseBytes): an endless stream fails instead of growing memory.</param>
    public FieldAccumulator(ResponseMap map, long maxJoinedChars)
    {
        _maxJoinedChars = maxJoinedChars;
        _map = map;
        _values = new byte[]?[map.Fields.Length];
        _lengths = new int[map.Fields.Length];
        _joined = new System.Text.StringBuilder?[map.Fields.Length];
    }

    /// <summary>Appends a piece of a joined field's text.</summary>
    /// <exception cref="InvalidChunkException">The item would grow longer than the limit.</exception>
    public void Append(int field, string text)
    {
        var joined = _joined[field] ??= new System.Text.StringBuilder();
        if (joined.Length + (long)text.Length > _maxJoinedChars)
        {
            throw new InvalidChunkException($"the item '{_map.Fields[field].Name}', joined across chunks, is longer than the profile's MaxResponseBytes ({_maxJoinedChars})");
        }

        joined.Append(text);
    }

    /// <summary>Adds a chunk's pieces of tool calls (the raw value of a <c>tool_call</c> item).</summary>
    /// <exception cref="InvalidChunkException">The pieces cannot form tool calls (arguments too long, or of two kinds).</exception>
    /// <returns>False when <paramref name="rawJson"/> cannot hold a piece of a call (<see cref="ToolCallPaths.MayHoldCall"/>).</returns>
    public bool AddToolCalls(int field, ReadOnlySpan<byte> rawJson)
    {
        if (!_map.Fields[field].ToolCall!.MayHoldCall(rawJson))
        {
            return false; // a chunk of text (Anthropic's whole event, Gemini's text parts): no piece of a call in it
        }

        var accumulators = _toolCalls ??= new ToolCallAccumulator?[_map.Fields.Length];
        var accumulator = accumulators[field] ??= new ToolCallAccumulator(_map.Fields[field].ToolCall!, _maxJoinedChars);
        try
        {
            accumulator.Add(JsonValues.Parse(rawJson));
        }
        catch (FormatException e)
        {
            throw new InvalidChunkException($"resp item '{_map.Fields[field].Name}': {e.Message}", inner: e);
        }

        return true;
    }

    public void Set(int field, ReadOnlySpan<byte> rawJson)
    {
        var buffer = _values[field];
        if (buffer is null || buffer.Length < rawJson.Length)
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            buffer = _values[field] = ArrayPool<byte>.Shared.Rent(Math.Max(64, rawJson.Length));
        }

        rawJson.CopyTo(buffer);
        _lengths[field] = rawJson.Length;
    }

    /// <summary>Every field: its last non-null value (converted), or JSON null.</summary>
    public Dictionary<string, JsonElement> ToFields(string callDescription)
    {
        var result = new Dictionary<string, JsonElement>(_map.Fields.Length, StringComparer.Ordinal);
        for (var i = 0; i < _map.Fields.Length; i++)
        {
            var field = _map.Fields[i];
            if (field.ToolCall is not null)
            {
                result[field.Name] = ToolCallsOf(i);
                continue;
            }

            var value = _joined[i] is { } joined ? JsonValues.String(joined.ToString())
                : _values[i] is { } bytes ? JsonValues.Parse(bytes.AsSpan(0, _lengths[i]))
                : JsonValues.Null;
            result[field.Name] = _joined[i] is null ? ResponseMap.Convert(field, value, callDescription) : value;
        }

        return result;
    }

    /// <summary>A tool_call item's calls, checked whole now that the stream has ended; JSON null when none came.</summary>
    /// <exception cref="InvalidChunkException">A call has no name or its arguments are not a JSON object: the stream was cut short or the vendor sent bad JSON.</exception>
    private JsonElement ToolCallsOf(int field)
    {
        if (_toolCalls?[field] is not { } accumulator)
        {
            return JsonValues.Null;
        }

        try
        {
            return accumulator.ToJson();
        }
        catch (FormatException e)
        {
            throw new InvalidChunkException($"the tool calls of resp item '{_map.Fields[field].Name}' are not whole at the end of the stream: {e.Message}", inner: e);
        }
    }

    public void Dispose()
    {
        for (var i = 0; i < _values.Length; i++)
        {
            if (_values[i] is { } buffer)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                _values[i] = null;
            }
        }
    }
}
