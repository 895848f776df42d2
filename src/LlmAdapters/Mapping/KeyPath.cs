using System.Text;
using System.Text.Json;

namespace LlmAdapters.Mapping;

/// <summary>A compiled key path such as <c>choices[0].message.content</c>, parsed once and evaluated many times.</summary>
/// <remarks>
/// Grammar (documented in README "Key paths"):
/// <code>
/// path    := [ '$' [ '.' ] ] [ step ( '.' name | bracket )* ]
/// step    := name | bracket
/// name    := one or more characters other than '.', '[', ']'
/// bracket := '[' integer ']' | '[' quoted ']' | '[*]'   integer may be negative: -1 is the last element
/// quoted  := '...' or "..." with \\ \' \" escapes
/// </code>
/// The empty path and <c>$</c> select the root. <c>[*]</c> (at most once per path) is a projection: the rest of the path
/// is evaluated on every element of the array, and the values found, in order, make a new JSON array; an element where
/// the rest finds nothing or JSON null is skipped; <c>[*]</c> over anything but an array finds nothing.
/// </remarks>
internal sealed class KeyPath
{
    /// <summary>Paths deeper than this are rejected: definition files are untrusted input.</summary>
    public const int MaxSegments = 64;

    private readonly KeyPathSegment[] _segments;

    private KeyPath(string text, KeyPathSegment[] segments)
    {
        Text = text;
        _segments = segments;
    }

    /// <summary>The path as written in the definition.</summary>
    public string Text { get; }

    public ReadOnlySpan<KeyPathSegment> Segments => _segments;

    public int Depth => _segments.Length;

    /// <summary>True when the path has a <c>[*]</c> projection: its value is a new array, not a part of the response.</summary>
    public bool IsProjection { get; private init; }

    /// <summary>
    /// True when one forward pass cannot answer the path (a negative index, or a projection): it is evaluated over a
    /// document (<see cref="TryEvaluate(JsonElement, out JsonElement)"/>).
    /// </summary>
    public bool NeedsDocument { get; private init; }

    public static KeyPath Parse(string text)
    {
        if (!TryParse(text, out var path, out var error))
        {
            throw new FormatException(error);
        }

        return path;
    }

    public static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out KeyPath? path, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        path = null;
        var segments = new List<KeyPathSegment>();
        var s = text.AsSpan().Trim();
        var i = 0;
        if (s.Length > 0 && s[0] == '$')
        {
            i = 1;
            if (i < s.Length && s[i] == '.')
            {
                i++;
                if (i == s.Length)
                {
                    error = $"key path '{text}' ends with '.'; write a key after it, or '$' alone for the whole response";
                    return false;
                }
            }
        }

        var first = true;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '[')
            {
                if (!TryParseBracket(text, s, ref i, segments, out var bracketError))
                {
                    error = bracketError;
                    return false;
                }
            }
            else
            {
                if (c == '.')
                {
                    if (first)
                    {
                        error = $"key path '{text}' starts with '.'; remove it (write 'a.b', or '$.a.b')";
                        return false;
                    }

                    i++;
                }
                else if (!first)
                {
                    // a name directly after ']' without a dot, e.g. "a[0]b"
                    error = $"key path '{text}' has '{c}' at position {i + 1} where '.' or '[' was expected";
                    return false;
                }

                var start = i;
                while (i < s.Length && s[i] != '.' && s[i] != '[' && s[i] != ']')
                {
                    i++;
                }

                if (i == start)
                {
                    error = i < s.Length
                        ? $"key path '{text}' has an empty key before '{s[i]}' at position {i + 1}"
                        : $"key path '{text}' ends with '.'; write a key after it";
                    return false;
                }

                if (i < s.Length && s[i] == ']')
                {
                    error = $"key path '{text}' has ']' at position {i + 1} without a matching '['";
                    return false;
                }

                segments.Add(KeyPathSegment.ForName(s[start..i].ToString()));
            }

            first = false;
            if (segments.Count > MaxSegments)
            {
                error = $"key path '{text}' has more than {MaxSegments} steps";
                return false;
            }
        }

        var array = segments.ToArray();
        var projections = CountAll(array);
        if (projections > 1)
        {
            error = $"key path '{text}' has [*] {projections} times; a path may project one array only";
            return false;
        }

        error = null;
        path = new KeyPath(text, array)
        {
            IsProjection = projections == 1,
            NeedsDocument = projections == 1 || HasNegativeIndex(array),
        };
        return true;
    }

    // Loops rather than LINQ with lambdas over the segments: each lambda is one more method a cold load has to compile.
    private static int CountAll(KeyPathSegment[] segments)
    {
        var count = 0;
        foreach (var segment in segments)
        {
            count += segment.IsAll ? 1 : 0;
        }

        return count;
    }

    private static int IndexOfAll(KeyPathSegment[] segments)
    {
        for (var i = 0; i < segments.Length; i++)
        {
            if (segments[i].IsAll)
            {
                return i;
            }
        }

        return -1;
    }

    private static bool HasNegativeIndex(KeyPathSegment[] segments)
    {
        foreach (var segment in segments)
        {
            if (segment.IsIndex && segment.Index < 0)
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryParseBracket(string text, ReadOnlySpan<char> s, ref int i, List<KeyPathSegment> segments, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        var open = i;
        i++;
        if (i < s.Length && (s[i] == '\'' || s[i] == '"'))
        {
            var quote = s[i++];
            var sb = new StringBuilder();
            while (true)
            {
                if (i >= s.Length)
                {
                    error = $"key path '{text}' has an unterminated quoted key starting at position {open + 1}";
                    return false;
                }

                var c = s[i++];
                if (c == '\\' && i < s.Length)
                {
                    sb.Append(s[i++]);
                }
                else if (c == quote)
                {
                    break;
                }
                else
                {
                    sb.Append(c);
                }
            }

            if (i >= s.Length || s[i] != ']')
            {
                error = $"key path '{text}' needs ']' after the quoted key at position {i + 1}";
                return false;
            }

            i++;
            segments.Add(KeyPathSegment.ForName(sb.ToString()));
            error = null;
            return true;
        }

        if (s[i..].StartsWith("*]"))
        {
            i += 2;
            segments.Add(KeyPathSegment.All);
            error = null;
            return true;
        }

        var close = s[i..].IndexOf(']');
        if (close < 0)
        {
            error = $"key path '{text}' has '[' at position {open + 1} without a matching ']'";
            return false;
        }

        var inner = s.Slice(i, close);
        if (!TryParseIndex(inner, out var index))
        {
            error = $"key path '{text}' has '[{inner.ToString()}]' at position {open + 1}: write an integer index such as [0] or [-1], [*] for every element, or a quoted key such as ['a.b']";
            return false;
        }

        i += close + 1;
        segments.Add(KeyPathSegment.ForIndex(index));
        error = null;
        return true;
    }

    /// <summary>
    /// As <c>int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out index)</c>, by hand for an
    /// optional sign and ASCII digits: the framework's parse loads the invariant culture's number format, and with it ICU,
    /// which costs a cold catalog load several milliseconds for "[0]". Anything else goes to the framework as before.
    /// </summary>
    private static bool TryParseIndex(ReadOnlySpan<char> text, out int index)
    {
        var digits = text.Length > 0 && text[0] is '-' or '+' ? text[1..] : text;
        if (digits.Length is 0 or > 9)
        {
            return int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out index);
        }

        var value = 0;
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out index);
            }

            value = (value * 10) + (c - '0');
        }

        index = text[0] == '-' ? -value : value;
        return true;
    }

    /// <summary>Splits "a.b | c[0].d" into its alternatives at '|' outside quotes and brackets.</summary>
    public static IReadOnlyList<string> SplitAlternatives(string text)
    {
        var parts = new List<string>();
        var start = 0;
        var depth = 0;
        char quote = '\0';
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote != '\0')
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '\'' or '"' && depth > 0)
            {
                quote = c;
            }
            else if (c == '[')
            {
                depth++;
            }
            else if (c == ']')
            {
                depth--;
            }
            else if (c == '|' && depth == 0)
            {
                parts.Add(text[start..i].Trim());
                start = i + 1;
            }
        }

        parts.Add(text[start..].Trim());
        return parts;
    }

    /// <summary>Finds the value at this path. Returns false (never throws) when any step is missing or of the wrong kind.</summary>
    /// <remarks>
    /// For a projection the value is a new standalone array of the values found (possibly empty); it is false only when
    /// the steps before <c>[*]</c> find no array.
    /// </remarks>
    public bool TryEvaluate(JsonElement root, out JsonElement value) => TryEvaluate(root, 0, out value);

    private bool TryEvaluate(JsonElement root, int from, out JsonElement value)
    {
        var current = root;
        var segments = _segments.AsSpan();
        for (var s = from; s < segments.Length; s++)
        {
            var segment = segments[s];
            if (segment.IsAll)
            {
                if (current.ValueKind != JsonValueKind.Array)
                {
                    value = default;
                    return false;
                }

                value = Project(current, s + 1);
                return true;
            }

            if (segment.IsIndex)
            {
                if (current.ValueKind != JsonValueKind.Array)
                {
                    value = default;
                    return false;
                }

                var length = current.GetArrayLength();
                var index = segment.Index < 0 ? length + segment.Index : segment.Index;
                if ((uint)index >= (uint)length)
                {
                    value = default;
                    return false;
                }

                current = current[index];
            }
            else
            {
                if (current.ValueKind != JsonValueKind.Object || !Internal.JsonNames.TryGetProperty(current, segment.Utf8Name.Span, out current))
                {
                    value = default;
                    return false;
                }
            }
        }

        value = current;
        return true;
    }

    /// <summary>The rest of the path (from segment <paramref name="from"/>) over every element, as one new array; elements where it finds nothing or null are skipped.</summary>
    private JsonElement Project(JsonElement array, int from)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartArray();
            foreach (var element in array.EnumerateArray())
            {
                if (TryEvaluate(element, from, out var found) && found.ValueKind != JsonValueKind.Null)
                {
                    found.WriteTo(writer);
                }
            }

            writer.WriteEndArray();
        }

        var reader = new Utf8JsonReader(buffer.WrittenSpan, new JsonReaderOptions { MaxDepth = 256 });
        return JsonElement.ParseValue(ref reader);
    }

    /// <summary>
    /// The path before <c>[*]</c> and the path after it, each as a path of its own (the whole path and the empty path
    /// when there is no projection).
    /// </summary>
    public (KeyPath List, KeyPath Element) SplitAtProjection()
    {
        var at = IndexOfAll(_segments);
        if (at < 0)
        {
            return (this, new KeyPath("$", []));
        }

        var before = _segments[..at];
        var after = _segments[(at + 1)..];
        return (
            new KeyPath($"{Text} (before [*])", before) { NeedsDocument = HasNegativeIndex(before) },
            new KeyPath($"{Text} (after [*])", after) { NeedsDocument = HasNegativeIndex(after) });
    }

    public override string ToString() => Text;
}

/// <summary>One step of a <see cref="KeyPath"/>: an object key, an array index, or <c>[*]</c> (every element).</summary>
internal sealed class KeyPathSegment
{
    private KeyPathSegment(string? name, int index, bool all = false)
    {
        Name = name;
        Utf8Name = name is null ? default : Encoding.UTF8.GetBytes(name);
        Index = index;
        IsAll = all;
    }

    /// <summary>The <c>[*]</c> step.</summary>
    public static KeyPathSegment All { get; } = new(null, 0, all: true);

    /// <summary>True for <c>[*]</c>.</summary>
    public bool IsAll { get; }

    public string? Name { get; }

    public ReadOnlyMemory<byte> Utf8Name { get; }

    public int Index { get; }

    /// <summary>True for an integer index (not for <c>[*]</c>).</summary>
    public bool IsIndex => Name is null && !IsAll;

    public static KeyPathSegment ForName(string name) => new(name, 0);

    public static KeyPathSegment ForIndex(int index) => new(null, index);
}
