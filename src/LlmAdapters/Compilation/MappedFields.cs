using System.Text.Json;
using LlmAdapters.Internal;

namespace LlmAdapters.Compilation;

/// <summary>
/// A sync response's <c>resp</c> items: the text at once, the other items as JSON elements only when first asked for
/// (<see cref="LlmResponse.Fields"/>, <see cref="LlmResponse.Usage"/>, ...). A caller that reads only the text pays for
/// no element, no dictionary and no usage.
/// </summary>
/// <remarks>
/// Immutable from outside and thread-safe: readers that race may each make the elements, but all of them get the one
/// dictionary that was published first. Holds the response body (the bytes the values are cut from) as long as it lives.
/// </remarks>
internal sealed class MappedFields
{
    private readonly ResponseMap? _map;
    private readonly byte[]? _body;
    private readonly int[]? _starts;
    private readonly int[]? _lengths;
    private IReadOnlyDictionary<string, JsonElement>? _fields;
    private Derived? _derived;

    /// <summary>Items already made into elements.</summary>
    public MappedFields(string text, IReadOnlyDictionary<string, JsonElement> fields)
    {
        Text = text;
        _fields = fields;
    }

    /// <summary>Items made on first use from <paramref name="body"/>: field i's value is at <paramref name="starts"/>[i] (-1: not found, JSON null).</summary>
    public MappedFields(string text, ResponseMap map, byte[] body, int[] starts, int[] lengths)
    {
        Text = text;
        _map = map;
        _body = body;
        _starts = starts;
        _lengths = lengths;
    }

    public string Text { get; }

    public IReadOnlyDictionary<string, JsonElement> Fields
    {
        get
        {
            var fields = Volatile.Read(ref _fields);
            if (fields is null)
            {
                Interlocked.CompareExchange(ref _fields, Make(), null);
                fields = _fields!;
            }

            return fields;
        }
    }

    public LlmUsage? Usage => Values.Usage;

    public string? FinishReason => Values.FinishReason;

    private Derived Values
    {
        get
        {
            var derived = Volatile.Read(ref _derived);
            if (derived is null)
            {
                var fields = Fields;
                Interlocked.CompareExchange(ref _derived, new Derived(ResponseMap.UsageFrom(fields), ResponseMap.FinishReasonFrom(fields)), null);
                derived = _derived!;
            }

            return derived;
        }
    }

    private Dictionary<string, JsonElement> Make()
    {
        var map = _map!;
        var fields = new Dictionary<string, JsonElement>(map.Fields.Count, StringComparer.Ordinal);
        var values = ResponseReader.ParseTogether(_body, _starts!, _lengths!);
        for (var i = 0; i < map.Fields.Count; i++)
        {
            if (_starts![i] < 0)
            {
                fields[map.Fields[i].Name] = JsonValues.Null;
                continue;
            }

            values.MoveNext();
            fields[map.Fields[i].Name] = values.Current;
        }

        return fields;
    }

    private sealed record Derived(LlmUsage? Usage, string? FinishReason);
}
