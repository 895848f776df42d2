using System.Text;

namespace LlmAdapters.Streaming;

internal sealed partial class StreamSession
{
    private readonly Decoder? _utf8;
    private char[] _chars = [];

    /// <summary>The text of the last raw read (stream_format raw).</summary>
    public string? RawText { get; private set; }

    /// <summary>raw: whatever text has arrived is the next piece; a character split across reads waits for its other bytes.</summary>
    private StepKind StepRaw()
    {
        RawText = null;
        var count = _end - _start;
        if (count == 0 && !_eof)
        {
            return StepKind.NeedMore;
        }

        var needed = _utf8!.GetCharCount(_buffer, _start, count, flush: _eof);
        if (_chars.Length < needed)
        {
            _chars = new char[Math.Max(needed, 1024)];
        }

        var written = _utf8.GetChars(_buffer, _start, count, _chars, 0, flush: _eof);
        _start = _scan = _end;
        if (written == 0)
        {
            return _eof ? StepKind.End : StepKind.NeedMore;
        }

        RawText = new string(_chars, 0, written);
        Chunks++;
        return StepKind.Chunk;
    }
}
