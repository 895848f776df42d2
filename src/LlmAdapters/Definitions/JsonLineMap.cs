using System.Text.Json;

namespace LlmAdapters.Definitions;

/// <summary>Maps JSON paths (<c>$.chat.data[0].value</c>) of a file to the lines they start on, so errors can say where to look.</summary>
/// <remarks>
/// The map is built on the first <see cref="LineOf"/>, which only problems and messages call: a file that loads without
/// problems is not read a second time (it keeps the file's bytes until then). Thread-safe.
/// </remarks>
internal sealed class JsonLineMap
{
    private readonly ReadOnlyMemory<byte> _utf8;
    private Dictionary<string, int>? _lines;

    private JsonLineMap(ReadOnlyMemory<byte> utf8) => _utf8 = utf8;

    /// <summary>A map of <paramref name="utf8"/>, built when first asked.</summary>
    public static JsonLineMap For(ReadOnlyMemory<byte> utf8) => new(utf8);

    /// <summary>The line a path starts on; falls back to its nearest ancestor, then 0.</summary>
    public int LineOf(string path)
    {
        var lines = Volatile.Read(ref _lines);
        if (lines is null)
        {
            lines = Build(_utf8.Span);
            Volatile.Write(ref _lines, lines);
        }

        while (true)
        {
            if (lines.TryGetValue(path, out var line))
            {
                return line;
            }

            var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
            if (cut <= 0)
            {
                return lines.GetValueOrDefault("$");
            }

            path = path[..cut];
        }
    }

    public static string Append(string parent, string key)
        => key.Length > 0 && !NeedsQuoting(key) ? $"{parent}.{key}" : $"{parent}['{key.Replace("'", "\\'", StringComparison.Ordinal)}']";

    /// <summary>True when a key has one of <c>.[]'" </c> (a plain loop: keys are short, and vectorized search code is a cold load's to compile).</summary>
    private static bool NeedsQuoting(string key)
    {
        foreach (var c in key)
        {
            if (c is '.' or '[' or ']' or '\'' or '"' or ' ')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Reads the file once with <see cref="Utf8JsonReader"/>, recording the line of every property and array element. Never throws: a malformed file gives a partial map.</summary>
    private static Dictionary<string, int> Build(ReadOnlySpan<byte> utf8)
    {
        var newlines = new List<int>();
        for (var i = utf8.IndexOf((byte)'\n'); i >= 0;)
        {
            newlines.Add(i);
            var next = utf8[(i + 1)..].IndexOf((byte)'\n');
            i = next < 0 ? -1 : i + 1 + next;
        }

        int LineAt(long offset)
        {
            var index = newlines.BinarySearch((int)offset);
            return (index < 0 ? ~index : index) + 1;
        }

        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 256 });
        var stack = new Stack<Frame>();
        try
        {
            while (reader.Read())
            {
                var line = LineAt(reader.TokenStartIndex);
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var frame = stack.Pop();
                        var path = Append(frame.Path, reader.GetString()!);
                        lines.TryAdd(path, line);
                        stack.Push(frame with { Pending = path });
                        continue;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        stack.Pop();
                        continue;
                }

                // A value: find its path from the enclosing container.
                string valuePath;
                if (stack.Count == 0)
                {
                    valuePath = "$";
                    lines.TryAdd(valuePath, line);
                }
                else
                {
                    var parent = stack.Pop();
                    if (parent.IsArray)
                    {
                        valuePath = $"{parent.Path}[{parent.Index}]";
                        lines.TryAdd(valuePath, line);
                        stack.Push(parent with { Index = parent.Index + 1 });
                    }
                    else
                    {
                        valuePath = parent.Pending ?? parent.Path;
                        stack.Push(parent with { Pending = null });
                    }
                }

                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    stack.Push(new Frame(valuePath, false, 0, null));
                }
                else if (reader.TokenType == JsonTokenType.StartArray)
                {
                    stack.Push(new Frame(valuePath, true, 0, null));
                }
            }
        }
        catch (JsonException)
        {
            // The parser reports the syntax error itself; the map keeps what it read.
        }

        return lines;
    }

    private readonly record struct Frame(string Path, bool IsArray, int Index, string? Pending);
}
