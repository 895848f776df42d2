using System.Text.Json;
using System.Text.RegularExpressions;
using LlmAdapters.Internal;
using LlmAdapters.Mapping;

namespace LlmAdapters.Streaming;

/// <summary>A compiled <c>chunk_filter</c>: when <see cref="Matches"/> holds for a chunk, the field <see cref="FieldIndex"/> (or every field when -1) is skipped for that chunk.</summary>
internal sealed class ChunkFilter(KeyPath path, FilterOp op, JsonElement value, Regex? regex, int fieldIndex, string? field)
{
    /// <summary>The operators a definition can name, as written (compared ignoring case).</summary>
    public static readonly IReadOnlyList<string> OpNames = ["==", "!=", "<", "<=", ">", ">=", "contains", "startswith", "regex", "exists", "missing"];

    /// <summary>An op by name, ignoring case.</summary>
    /// <remarks>
    /// An op written as listed (lower case, as every shipped adapter writes it) is found by its place in
    /// <see cref="OpNames"/>, which follows <see cref="FilterOp"/> (a test checks both agree): lower-casing the text loads
    /// ICU on first use, about 10 ms of a cold catalog load. Only other text is lower-cased, and compared by a switch
    /// rather than a dictionary of enum values (a generic instantiation the JIT would compile at startup).
    /// </remarks>
    public static bool TryParseOp(string text, out FilterOp op)
    {
        for (var i = 0; i < OpNames.Count; i++)
        {
            if (string.Equals(OpNames[i], text, StringComparison.Ordinal))
            {
                op = (FilterOp)i;
                return true;
            }
        }

        op = text.ToLowerInvariant() switch
        {
            "==" => FilterOp.Equal,
            "!=" => FilterOp.NotEqual,
            "<" => FilterOp.Less,
            "<=" => FilterOp.LessOrEqual,
            ">" => FilterOp.Greater,
            ">=" => FilterOp.GreaterOrEqual,
            "contains" => FilterOp.Contains,
            "startswith" => FilterOp.StartsWith,
            "regex" => FilterOp.Regex,
            "exists" => FilterOp.Exists,
            "missing" => FilterOp.Missing,
            _ => (FilterOp)(-1),
        };
        return op != (FilterOp)(-1);
    }

    /// <summary>The key path tested. The path <c>@event</c> tests the SSE event type.</summary>
    public KeyPath Path { get; } = path;

    public FilterOp Op { get; } = op;

    public JsonElement Value { get; } = value;

    public Regex? Regex { get; } = regex;

    public int FieldIndex { get; } = fieldIndex;

    public string? Field { get; } = field;

    /// <summary>Compares the tested value (missing when <paramref name="found"/> is false) with the filter's value.</summary>
    /// <exception cref="InvalidChunkException">A <c>regex</c> filter ran longer than its match timeout on this value.</exception>
    public bool Matches(bool found, JsonElement actual)
    {
        switch (Op)
        {
            case FilterOp.Exists: return found && actual.ValueKind != JsonValueKind.Null;
            case FilterOp.Missing: return !found || actual.ValueKind == JsonValueKind.Null;
        }

        if (!found)
        {
            // A missing value compares with nothing: only "missing" holds (SQL-like), so "reply != ''" skips only chunks that have a reply.
            return false;
        }

        switch (Op)
        {
            case FilterOp.Equal: return ValueEquals(actual, Value);
            case FilterOp.NotEqual: return !ValueEquals(actual, Value);
            case FilterOp.Contains: return JsonValues.ToText(actual).Contains(JsonValues.ToText(Value), StringComparison.Ordinal);
            case FilterOp.StartsWith: return JsonValues.ToText(actual).StartsWith(JsonValues.ToText(Value), StringComparison.Ordinal);
            case FilterOp.Regex: return IsMatch(JsonValues.ToText(actual));
        }

        var order = Compare(actual, Value);
        return order is not null && Op switch
        {
            FilterOp.Less => order < 0,
            FilterOp.LessOrEqual => order <= 0,
            FilterOp.Greater => order > 0,
            _ => order >= 0,
        };
    }

    private bool IsMatch(string text)
    {
        try
        {
            return Regex!.IsMatch(text);
        }
        catch (RegexMatchTimeoutException e)
        {
            // Neither answer is known: skipping or keeping the chunk's text on a guess could change the answer silently.
            throw new InvalidChunkException(
                $"the chunk_filter regex '{e.Pattern}' on '{Path.Text}' timed out ({e.MatchTimeout.TotalMilliseconds:0} ms) on a value of {text.Length} characters; make the pattern linear (no back-references or lookarounds)",
                inner: e);
        }
    }

    private static bool ValueEquals(JsonElement a, JsonElement b)
    {
        if (a.ValueKind == JsonValueKind.Number && b.ValueKind == JsonValueKind.Number)
        {
            return a.GetDouble() == b.GetDouble();
        }

        if (a.ValueKind is JsonValueKind.Object or JsonValueKind.Array || b.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
        {
#if NET9_0_OR_GREATER
            return JsonElement.DeepEquals(a, b);
#else
            return a.GetRawText() == b.GetRawText();
#endif
        }

        // "1" == 1 and true == "true": definition authors compare loosely typed vendor fields.
        return a.ValueKind is JsonValueKind.Null == b.ValueKind is JsonValueKind.Null && JsonValues.ToText(a) == JsonValues.ToText(b);
    }

    private static int? Compare(JsonElement a, JsonElement b)
    {
        if (TryNumber(a, out var x) && TryNumber(b, out var y))
        {
            return x.CompareTo(y);
        }

        if (a.ValueKind == JsonValueKind.String && b.ValueKind == JsonValueKind.String)
        {
            return string.CompareOrdinal(a.GetString(), b.GetString());
        }

        return null;
    }

    private static bool TryNumber(JsonElement e, out double value)
    {
        if (e.ValueKind == JsonValueKind.Number)
        {
            value = e.GetDouble();
            return true;
        }

        if (e.ValueKind == JsonValueKind.String && double.TryParse(e.GetString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        value = 0;
        return false;
    }
}
