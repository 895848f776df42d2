using System.Buffers;

namespace LlmAdapters.Streaming;

/// <summary>The text received so far, in a pooled buffer: kept for error messages and CallAsync without allocating per chunk.</summary>
/// <remarks>With a limit, only the last characters are kept (at least <c>limit / 2</c>), so a stream of any length keeps memory flat.</remarks>
internal sealed class TextBuffer(int limit = int.MaxValue) : IDisposable
{
    /// <summary>How much of the text StreamAsync keeps for an error message: the consumer has the text itself.</summary>
    public const int StreamingTailLimit = 64 * 1024;

    private char[] _chars = ArrayPool<char>.Shared.Rent(1024);

    public int Length { get; private set; }

    /// <summary>Characters dropped from the start because of the limit.</summary>
    public long Dropped { get; private set; }

    public void Append(string text)
    {
        if (Length + text.Length > limit)
        {
            // Keep the newest half (or the text alone when it is longer).
            var keep = Math.Max(0, Math.Min(Length, (limit / 2) - text.Length));
            _chars.AsSpan(Length - keep, keep).CopyTo(_chars);
            Dropped += Length - keep;
            Length = keep;
        }

        if (Length + text.Length > _chars.Length)
        {
            var bigger = ArrayPool<char>.Shared.Rent(Math.Max(_chars.Length * 2, Length + text.Length));
            _chars.AsSpan(0, Length).CopyTo(bigger);
            ArrayPool<char>.Shared.Return(_chars);
            _chars = bigger;
        }

        text.CopyTo(_chars.AsSpan(Length));
        Length += text.Length;
    }

    public override string ToString() => new(_chars, 0, Length);

    /// <summary>The last <paramref name="max"/> characters, for messages.</summary>
    public string Tail(int max) => Length <= max ? ToString() : "…" + new string(_chars, Length - max, max);

    public void Dispose()
    {
        ArrayPool<char>.Shared.Return(_chars);
        _chars = [];
        Length = 0;
    }
}
