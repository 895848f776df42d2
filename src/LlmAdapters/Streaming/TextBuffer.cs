using System.Buffers;

namespace LlmAdapters.Streaming;

/// <summary>The text received so far, in a pooled buffer: kept for error messages and CallAsync without allocating per chunk.</summary>
internal sealed class TextBuffer : IDisposable
{
    private char[] _chars = ArrayPool<char>.Shared.Rent(1024);

    public int Length { get; private set; }

    public void Append(string text)
    {
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
