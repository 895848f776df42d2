using System.Buffers;
using System.Text.Json;
using LlmAdapters.Internal;
using LlmAdapters.Mapping;

namespace LlmAdapters.Streaming;

/// <summary>
/// A cumulative stream's text (each chunk repeats all text so far, DashScope's <c>incremental_output: false</c>): what
/// is new in each chunk's text, and, for updates, the text so far.
/// </summary>
/// <remarks>
/// A chunk's text is a JSON string as a rule, and it grows at its end. When the bytes between its quotes start with the
/// bytes that the text so far was sent as, only the bytes after them are unescaped: the prefix was a whole JSON string's
/// contents, so it ends where an escape or a UTF-8 character ends, and it stands for the same text as before. Anything
/// else (a first chunk, a rewrite, an escape written another way, a string that the fast unescape does not take) is
/// unescaped whole and compared with the text so far as characters, as the slow path always did. Both give the same
/// text and the same exceptions (CumulativeTextDifferentialTests).
/// </remarks>
internal sealed class CumulativeText : IDisposable
{
    // The text so far, and the bytes between the quotes of the JSON string it was last sent as (both pooled; the bytes'
    // length is -1 when the text did not come from a JSON string, or there is no text yet).
    private char[] _text = [];
    private int _textLength = -1;
    private byte[] _sent = [];
    private int _sentLength = -1;
    private char[] _next = []; // (pooled) a chunk's whole text, on the slow path

    // For updates: the pieces of the text so far, in a log only ever appended to (a rewrite starts a new one), so that
    // every snapshot refers to its first pieces instead of copying the whole text per chunk.
    private PieceLog? _pieces;

    /// <summary>True when the text so far is kept for updates (<see cref="Whole"/>).</summary>
    public bool KeepsWhole { get; set; } = true;

    /// <summary>The log of the text so far's pieces (updates' snapshots refer to its first pieces); kept while <see cref="KeepsWhole"/>.</summary>
    public PieceLog? Pieces => _pieces;

    public TextSoFar Whole => _pieces is null ? default : new TextSoFar(_pieces, _pieces.Count);

    /// <summary>Switches the fast path off (the differential test's slow side).</summary>
    internal bool ComparesBytes { get; set; } = true;

    /// <summary>What is new in a chunk whose text is <paramref name="text"/> (decoded some other way than from a JSON string).</summary>
    public string Next(string text)
    {
        _sentLength = -1;
        var next = Rent(ref _next, text.Length);
        text.CopyTo(next);
        return NextFromBuffer(text.Length);
    }

    /// <summary>What is new in a chunk whose text is the JSON string <paramref name="token"/> (quotes included; valid JSON).</summary>
    /// <exception cref="InvalidOperationException">Invalid UTF-8 or half a surrogate pair (the reader's wording).</exception>
    public string NextJsonString(ReadOnlySpan<byte> token)
    {
        var sent = token[1..^1];
        if (ComparesBytes && _sentLength >= 0 && sent.StartsWith(_sent.AsSpan(0, _sentLength)))
        {
            var added = sent[_sentLength..];
            if (added.IsEmpty)
            {
                return string.Empty; // (the same text so far)
            }

            var text = Rent(ref _text, _textLength + added.Length, keep: _textLength); // never more UTF-16 units than bytes
            if (JsonStrings.TryUnescape(added, text.AsSpan(_textLength), out var written))
            {
                var piece = new string(text.AsSpan(_textLength, written));
                KeepWhole(piece, extends: true);
                _textLength += written;
                Append(added);
                return piece;
            }
        }

        // The whole string: unescaped straight into a pooled buffer and compared there with the text so far, so that only
        // the new end becomes a string (the whole text of every chunk would make the allocation grow with the square of
        // the answer's length).
        var reader = new Utf8JsonReader(token);
        reader.Read();
        var buffer = Rent(ref _next, reader.ValueSpan.Length); // UTF-16 needs no more chars than UTF-8 has bytes
        var result = NextFromBuffer(reader.CopyString(buffer)); // throws for invalid UTF-8 or a lone surrogate escape, as GetString does
        _sentLength = 0;
        Append(sent);
        return result;
    }

    /// <summary>Compares the text in the next buffer with the text so far; the next becomes the text so far.</summary>
    private string NextFromBuffer(int length)
    {
        var current = _next.AsSpan(0, length);
        var previous = _textLength < 0 ? default : _text.AsSpan(0, _textLength);
        var extends = _textLength >= 0 && current.StartsWith(previous);
        var result = extends ? new string(current[previous.Length..]) : new string(current);
        KeepWhole(result, extends);
        (_text, _next) = (_next, _text);
        _textLength = length;
        return result;
    }

    private void KeepWhole(string piece, bool extends)
    {
        if (!KeepsWhole)
        {
            return;
        }

        if (!extends || _pieces is null)
        {
            _pieces = PieceLog.Of(piece); // (the old log's pieces stay as the snapshots made so far saw them)
        }
        else if (piece.Length > 0)
        {
            _pieces.Add(piece);
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_sent.Length < _sentLength + bytes.Length)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(_sentLength + bytes.Length, Math.Max(256, _sent.Length * 2)));
            _sent.AsSpan(0, _sentLength).CopyTo(grown);
            Return(ref _sent);
            _sent = grown;
        }

        bytes.CopyTo(_sent.AsSpan(_sentLength));
        _sentLength += bytes.Length;
    }

    /// <summary>A pooled buffer of at least <paramref name="length"/>, its first <paramref name="keep"/> elements kept.</summary>
    private static T[] Rent<T>(ref T[] buffer, int length, int keep = 0)
    {
        if (buffer.Length < length)
        {
            var grown = ArrayPool<T>.Shared.Rent(Math.Max(length, Math.Max(256, buffer.Length * 2)));
            buffer.AsSpan(0, keep).CopyTo(grown);
            Return(ref buffer);
            buffer = grown;
        }

        return buffer;
    }

    private static void Return<T>(ref T[] buffer)
    {
        if (buffer.Length > 0)
        {
            ArrayPool<T>.Shared.Return(buffer);
            buffer = [];
        }
    }

    public void Dispose()
    {
        Return(ref _text);
        Return(ref _next);
        Return(ref _sent);
    }
}
