using System.Text.Json;

namespace LlmAdapters.Mapping;

/// <summary>Several key paths merged into one tree, so that one pass of <see cref="Utf8JsonReader"/> over a chunk finds them all without building a document.</summary>
/// <remarks>
/// Built once per plan. <see cref="Find(ReadOnlySpan{byte}, Span{int}, Span{int}, int)"/> reports, per slot, the byte range of the value found (or -1), allocating nothing.
/// Paths with a negative index or a <c>[*]</c> projection cannot be answered in one forward pass; they are left out here and evaluated over a
/// document by the caller (<see cref="NeedsDocument"/>).
/// </remarks>
internal sealed partial class JsonPathSet
{
    private readonly Node _root;

    private JsonPathSet(Node root, int slotCount, bool needsDocument)
    {
        _root = root;
        SlotCount = slotCount;
        NeedsDocument = needsDocument;
    }

    public int SlotCount { get; }

    /// <summary>True when some path has a negative index or a projection (<see cref="KeyPath.NeedsDocument"/>) and must be evaluated over a document.</summary>
    public bool NeedsDocument { get; }

    /// <summary>Builds the tree; slot i answers <paramref name="paths"/>[i] (null entries are never found).</summary>
    public static JsonPathSet Build(IReadOnlyList<KeyPath?> paths)
    {
        var root = new NodeBuilder();
        var needsDocument = false;
        for (var slot = 0; slot < paths.Count; slot++)
        {
            var path = paths[slot];
            if (path is null)
            {
                continue;
            }

            if (path.NeedsDocument)
            {
                needsDocument = true;
                continue;
            }

            var node = root;
            foreach (var segment in path.Segments)
            {
                node = segment.IsIndex ? node.IndexChild(segment.Index) : node.NameChild(segment.Utf8Name);
            }

            node.Slots.Add(slot);
        }

        return new JsonPathSet(root.Build(), paths.Count, needsDocument);
    }

    /// <summary>Finds every path in one pass. <paramref name="starts"/>[i] is -1 when path i was not found.</summary>
    /// <param name="json">One JSON value.</param>
    /// <param name="starts">Receives where each slot's value starts.</param>
    /// <param name="lengths">Receives each slot's value length.</param>
    /// <param name="maxDepth">The nesting limit.</param>
    public void Find(ReadOnlySpan<byte> json, Span<int> starts, Span<int> lengths, int maxDepth = 64)
    {
        starts.Fill(-1);
        if (TryFindFast(json, starts, lengths, maxDepth))
        {
            return;
        }

        starts.Fill(-1);
        FindWithReader(json, starts, lengths, maxDepth);
    }

    /// <summary>
    /// <see cref="Find(ReadOnlySpan{byte}, Span{int}, Span{int}, int)"/> for the values of a stream, one after another:
    /// a value that differs from the last only inside scalar values is checked against it (<see cref="ScanMemo.TryReplay"/>),
    /// with the same result as a scan afresh.
    /// </summary>
    public void Find(ReadOnlySpan<byte> json, Span<int> starts, Span<int> lengths, ScanMemo memo, int maxDepth = 64)
    {
        if (memo.TryReplay(json, starts, lengths))
        {
            return;
        }

        starts.Fill(-1);
        memo.Begin();
        if (TryFindFast(json, starts, lengths, maxDepth, memo))
        {
            memo.Commit(json, starts, lengths);
            return;
        }

        memo.Forget();
        starts.Fill(-1);
        FindWithReader(json, starts, lengths, maxDepth);
    }

    /// <summary>
    /// <see cref="Find(ReadOnlySpan{byte}, Span{int}, Span{int}, int)"/> by <see cref="Utf8JsonReader"/> alone: the reference the fast scan must agree with, and what
    /// decides (and words the error) whenever the fast scan declines.
    /// </summary>
    internal void FindWithReader(ReadOnlySpan<byte> json, Span<int> starts, Span<int> lengths, int maxDepth = 64)
    {
        starts.Fill(-1);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = maxDepth });
        if (!reader.Read())
        {
            throw new JsonException("The chunk holds no JSON value.");
        }

        Walk(ref reader, _root, starts, lengths);
        if (reader.Read())
        {
            throw new JsonException($"The chunk has more after its JSON value (at byte {reader.TokenStartIndex}).");
        }
    }

    private static void Walk(ref Utf8JsonReader reader, Node node, Span<int> starts, Span<int> lengths)
    {
        var start = (int)reader.TokenStartIndex;
        var type = reader.TokenType;
        if (type == JsonTokenType.StartObject && node.Names.Length > 0)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                Node? child = null;
                var escaped = reader.ValueIsEscaped;
                var raw = reader.ValueSpan;
                var names = node.Names;
                for (var n = 0; n < names.Length; n++)
                {
                    // Vendors do not escape property names: compare the bytes, and unescape only when the name has an escape.
                    if (escaped ? Internal.JsonNames.Equal(ref reader, names[n]) : raw.SequenceEqual(names[n]))
                    {
                        child = node.NameChildren[n];
                        break;
                    }
                }

                reader.Read();
                if (child is null)
                {
                    reader.Skip();
                }
                else
                {
                    Walk(ref reader, child, starts, lengths);
                }
            }
        }
        else if (type == JsonTokenType.StartArray && node.Indexes.Length > 0)
        {
            var index = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                Node? child = null;
                var indexes = node.Indexes;
                for (var n = 0; n < indexes.Length; n++)
                {
                    if (indexes[n] == index)
                    {
                        child = node.IndexChildren[n];
                        break;
                    }
                }

                index++;
                if (child is null)
                {
                    reader.Skip();
                }
                else
                {
                    Walk(ref reader, child, starts, lengths);
                }
            }
        }
        else if (type is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            reader.Skip();
        }

        if (node.Slots.Length > 0)
        {
            var length = (int)reader.BytesConsumed - start;
            foreach (var slot in node.Slots)
            {
                starts[slot] = start;
                lengths[slot] = length;
            }
        }
    }

    // Parallel arrays rather than arrays of tuples: value-tuple collections would each need JIT-compiled framework code
    // at startup, where these share the framework's precompiled code for arrays and lists of references and ints.
    private sealed class Node(byte[][] names, Node[] nameChildren, int[] indexes, Node[] indexChildren, int[] slots)
    {
        public byte[][] Names { get; } = names;

        public Node[] NameChildren { get; } = nameChildren;

        public int[] Indexes { get; } = indexes;

        public Node[] IndexChildren { get; } = indexChildren;

        public int[] Slots { get; } = slots;
    }

    private sealed class NodeBuilder
    {
        private readonly List<byte[]> _names = [];
        private readonly List<NodeBuilder> _nameChildren = [];
        private readonly List<int> _indexes = [];
        private readonly List<NodeBuilder> _indexChildren = [];

        public List<int> Slots { get; } = [];

        public NodeBuilder NameChild(ReadOnlyMemory<byte> name)
        {
            for (var i = 0; i < _names.Count; i++)
            {
                if (_names[i].AsSpan().SequenceEqual(name.Span))
                {
                    return _nameChildren[i];
                }
            }

            var created = new NodeBuilder();
            _names.Add(name.ToArray());
            _nameChildren.Add(created);
            return created;
        }

        public NodeBuilder IndexChild(int index)
        {
            for (var i = 0; i < _indexes.Count; i++)
            {
                if (_indexes[i] == index)
                {
                    return _indexChildren[i];
                }
            }

            var created = new NodeBuilder();
            _indexes.Add(index);
            _indexChildren.Add(created);
            return created;
        }

        public Node Build()
        {
            var nameChildren = new Node[_nameChildren.Count];
            for (var i = 0; i < nameChildren.Length; i++)
            {
                nameChildren[i] = _nameChildren[i].Build();
            }

            var indexChildren = new Node[_indexChildren.Count];
            for (var i = 0; i < indexChildren.Length; i++)
            {
                indexChildren[i] = _indexChildren[i].Build();
            }

            return new Node([.. _names], nameChildren, [.. _indexes], indexChildren, [.. Slots]);
        }
    }
}
