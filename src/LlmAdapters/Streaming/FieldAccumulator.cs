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

    private readonly long _maxJoinedChars;

    /// <param name="map">The call's resp items.</param>
    /// <param name="maxJoinedChars">The longest a joined item may grow (MaxResponseBytes): an endless stream fails instead of growing memory.</param>
    public FieldAccumulator(ResponseMap map, long maxJoinedChars)
    {
        _maxJoinedChars = maxJoinedChars;
        _map = map;
        _values = new byte[]?[map.Fields.Count];
        _lengths = new int[map.Fields.Count];
        _joined = new System.Text.StringBuilder?[map.Fields.Count];
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
        var result = new Dictionary<string, JsonElement>(_map.Fields.Count, StringComparer.Ordinal);
        for (var i = 0; i < _map.Fields.Count; i++)
        {
            var field = _map.Fields[i];
            var value = _joined[i] is { } joined ? JsonValues.String(joined.ToString())
                : _values[i] is { } bytes ? JsonValues.Parse(bytes.AsSpan(0, _lengths[i]))
                : JsonValues.Null;
            result[field.Name] = _joined[i] is null ? ResponseMap.Convert(field, value, callDescription) : value;
        }

        return result;
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
