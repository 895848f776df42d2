using System.Buffers;
using System.Text.Json;

namespace LlmAdapters.Mapping;

/// <summary>
/// Reads an embedding call's vectors (its <c>resp</c> item named <c>embeddings</c>) from a whole response body with
/// <see cref="Utf8JsonReader"/>: each vector straight into one <see cref="float"/> array, no JSON element per number
/// and no document.
/// </summary>
/// <remarks>
/// The item's path is either a projection whose elements hold the vectors (<c>data[*].embedding</c>: the list before
/// <c>[*]</c>, each vector at the path after it), or a path to a list of vectors (<c>embeddings</c>,
/// <c>embeddings.float</c>). Built once per call plan; immutable and thread-safe.
/// </remarks>
internal sealed class EmbeddingReader
{
    private const int MaxDepth = 128;
    private readonly JsonPathSet _list;
    private readonly JsonPathSet? _element;

    // The path after [*] when it is keys only (data[*].embedding): followed by the one reader over the list, so that each
    // entry is read once; other paths are found in each entry by _element.
    private readonly byte[][]? _elementNames;

    private EmbeddingReader(string pathText, JsonPathSet list, JsonPathSet? element, byte[][]? elementNames)
    {
        PathText = pathText;
        _list = list;
        _element = element;
        _elementNames = elementNames;
    }

    /// <summary>The item's name in definition files.</summary>
    public const string ItemName = "embeddings";

    /// <summary>The path as written, for messages.</summary>
    public string PathText { get; }

    /// <summary>The reader of <paramref name="path"/>; false with a sentence when one forward pass cannot read it (a negative index).</summary>
    public static bool TryCreate(KeyPath path, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out EmbeddingReader? reader, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        var (list, element) = path.SplitAtProjection();
        if (list.NeedsDocument || element.NeedsDocument)
        {
            reader = null;
            error = $"the embeddings path '{path.Text}' has a negative index; vectors are read in one forward pass, so write the list (data[*].embedding) or a non-negative index";
            return false;
        }

        var hasElementPath = path.IsProjection && element.Depth > 0;
        var names = new List<byte[]>();
        foreach (var segment in element.Segments)
        {
            if (segment.IsIndex || segment.IsAll)
            {
                names = null;
                break;
            }

            names.Add(segment.Utf8Name.ToArray());
        }

        reader = new EmbeddingReader(path.Text, JsonPathSet.Build([list]), hasElementPath ? JsonPathSet.Build([element]) : null, hasElementPath && names is not null ? [.. names] : null);
        error = null;
        return true;
    }

    /// <summary>The vectors of <paramref name="body"/>, in order.</summary>
    /// <exception cref="FormatException">The body has no list at the path, or an entry is not a list of numbers that fit a <see cref="float"/>; the message says which.</exception>
    /// <exception cref="JsonException">The body is not one JSON value.</exception>
    public ReadOnlyMemory<float>[] Read(ReadOnlySpan<byte> body)
    {
        Span<int> start = stackalloc int[1];
        Span<int> length = stackalloc int[1];
        _list.Find(body, start, length, MaxDepth);
        if (start[0] < 0)
        {
            throw new FormatException($"the response has no list of embeddings at '{PathText}'");
        }

        var list = body.Slice(start[0], length[0]);
        var reader = new Utf8JsonReader(list, new JsonReaderOptions { MaxDepth = MaxDepth });
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new FormatException($"the embeddings at '{PathText}' are a JSON {Kind(reader.TokenType)}, not a list");
        }

        var vectors = new List<ReadOnlyMemory<float>>();
        var buffer = ArrayPool<float>.Shared.Rent(1024);
        try
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var index = vectors.Count;
                var elementStart = (int)reader.TokenStartIndex;
                if (_element is null)
                {
                    vectors.Add(ReadVector(ref reader, ref buffer, index));
                    continue;
                }

                if (_elementNames is not null)
                {
                    vectors.Add(ReadByNames(ref reader, ref buffer, index));
                    continue;
                }

                reader.Skip();
                var element = list[elementStart..((int)reader.BytesConsumed)];
                _element.Find(element, start, length, MaxDepth);
                if (start[0] < 0)
                {
                    throw new FormatException($"entry {index} of the embeddings list ('{PathText}') has no vector");
                }

                var vectorReader = new Utf8JsonReader(element.Slice(start[0], length[0]), new JsonReaderOptions { MaxDepth = MaxDepth });
                vectorReader.Read();
                vectors.Add(ReadVector(ref vectorReader, ref buffer, index));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }

        return [.. vectors];
    }

    /// <summary>
    /// The vector of the entry the reader is on, found by following <see cref="_elementNames"/> through its objects; the
    /// reader ends on the entry's last token. A key found twice is an error, as a guess between the two would be.
    /// </summary>
    private float[] ReadByNames(ref Utf8JsonReader reader, ref float[] buffer, int index)
    {
        var names = _elementNames!;
        for (var depth = 0; depth < names.Length; depth++)
        {
            var found = false;
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    found = Internal.JsonNames.Equal(ref reader, names[depth]);
                    reader.Read();
                    if (found)
                    {
                        break;
                    }

                    reader.Skip();
                }
            }
            else
            {
                reader.Skip();
            }

            if (!found)
            {
                throw new FormatException($"entry {index} of the embeddings list ('{PathText}') has no vector");
            }
        }

        var vector = ReadVector(ref reader, ref buffer, index);
        SkipRest(ref reader, names, names.Length, index);
        return vector;
    }

    /// <summary>Reads the rest of the <paramref name="levels"/> objects the reader is in, checking that none has its key twice.</summary>
    private void SkipRest(ref Utf8JsonReader reader, byte[][] names, int levels, int index)
    {
        for (var depth = levels - 1; depth >= 0; depth--)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (Internal.JsonNames.Equal(ref reader, names[depth]))
                {
                    throw new FormatException($"entry {index} of the embeddings list ('{PathText}') has the key '{System.Text.Encoding.UTF8.GetString(names[depth])}' twice");
                }

                reader.Read();
                reader.Skip();
            }
        }
    }

    /// <summary>The array of numbers the reader is on (its StartArray), into a new array of exactly its length; the reader ends on its EndArray.</summary>
    private float[] ReadVector(ref Utf8JsonReader reader, ref float[] buffer, int index)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new FormatException($"embedding {index} ('{PathText}') is a JSON {Kind(reader.TokenType)}, not a list of numbers");
        }

        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetSingle(out var value) || !float.IsFinite(value))
            {
                throw new FormatException($"embedding {index} ('{PathText}') has {(reader.TokenType == JsonTokenType.Number ? "a number that does not fit a float" : $"a JSON {Kind(reader.TokenType)}")} at element {count}");
            }

            if (count == buffer.Length)
            {
                var larger = ArrayPool<float>.Shared.Rent(buffer.Length * 2);
                buffer.AsSpan().CopyTo(larger);
                ArrayPool<float>.Shared.Return(buffer);
                buffer = larger;
            }

            buffer[count++] = value;
        }

        return buffer.AsSpan(0, count).ToArray();
    }

    private static string Kind(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString().ToLowerInvariant(),
    };
}
