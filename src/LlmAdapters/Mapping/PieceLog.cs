namespace LlmAdapters.Mapping;

/// <summary>
/// The pieces a cumulative stream's text grew by, in order, appended to by the stream's one reader and read by any
/// thread up to a count it was given (a rewritten text starts a log of its own).
/// </summary>
internal sealed class PieceLog
{
    private const int SegmentBits = 7;
    private const int SegmentSize = 1 << SegmentBits;

    // Segments of a fixed size, never copied (a piece stays where it was put), in a directory that is replaced when it
    // grows: a reader of an older directory finds every piece that its count covers.
    private string[][] _segments = [new string[SegmentSize]];

    /// <summary>How many pieces there are.</summary>
    public int Count { get; private set; }

    /// <summary>A log whose first piece is <paramref name="piece"/>.</summary>
    public static PieceLog Of(string piece)
    {
        var log = new PieceLog();
        log.Add(piece);
        return log;
    }

    public void Add(string piece)
    {
        var segment = Count >> SegmentBits;
        var segments = _segments;
        if (segment == segments.Length)
        {
            var grown = new string[segments.Length * 2][];
            segments.CopyTo(grown, 0);
            segments = grown;
            Volatile.Write(ref _segments, segments);
        }

        (segments[segment] ??= new string[SegmentSize])[Count & (SegmentSize - 1)] = piece;
        Count++;
    }

    /// <summary>The first <paramref name="count"/> pieces joined.</summary>
    public string Join(int count)
    {
        var segments = Volatile.Read(ref _segments);
        var length = 0;
        for (var i = 0; i < count; i++)
        {
            length += segments[i >> SegmentBits][i & (SegmentSize - 1)].Length;
        }

        return string.Create(length, (segments, count), static (chars, state) =>
        {
            var at = 0;
            for (var i = 0; i < state.count; i++)
            {
                var piece = state.segments[i >> SegmentBits][i & (SegmentSize - 1)];
                piece.CopyTo(chars[at..]);
                at += piece.Length;
            }
        });
    }
}
