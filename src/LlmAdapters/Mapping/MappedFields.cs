using System.Text.Json;
using LlmAdapters.Internal;

namespace LlmAdapters.Mapping;

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

    // Items are made on first use only when none has a converter, and every value was checked to be text when the
    // response was read (see ResponseReader.TryMap): nothing here can fail, so reading Fields, Usage or FinishReason never throws.
    private Dictionary<string, JsonElement> Make() => Make(_map!, _body, _starts!, _lengths!, callDescription: string.Empty);

    /// <summary>
    /// The items as elements: field i's value at <paramref name="starts"/>[i] in <paramref name="body"/> (-1: JSON null),
    /// converted by its converter if it has one.
    /// </summary>
    /// <exception cref="LlmException">A converter rejected a value.</exception>
    public static Dictionary<string, JsonElement> Make(ResponseMap map, ReadOnlySpan<byte> body, int[] starts, int[] lengths, string callDescription)
    {
        var fields = new Dictionary<string, JsonElement>(map.Fields.Length, StringComparer.Ordinal);
        var values = ResponseReader.ParseTogether(body, starts, lengths);
        for (var i = 0; i < map.Fields.Length; i++)
        {
            var field = map.Fields[i];
            if (starts[i] < 0)
            {
                fields[field.Name] = JsonValues.Null;
                continue;
            }

            values.MoveNext();
            fields[field.Name] = ResponseMap.Convert(field, values.Current, callDescription);
        }

        return fields;
    }

    private sealed record Derived(LlmUsage? Usage, string? FinishReason);
}
