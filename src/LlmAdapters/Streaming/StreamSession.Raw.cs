using System.Buffers;
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

        // Room for the most these bytes can make, a character left over from the read before included: counting them
        // exactly (GetCharCount) would decode every read twice.
        var room = Encoding.UTF8.GetMaxCharCount(count);
        if (_chars.Length < room)
        {
            ReturnChars();
            _chars = ArrayPool<char>.Shared.Rent(Math.Max(room, 1024));
        }

        var written = _utf8!.GetChars(_buffer, _start, count, _chars, 0, flush: _eof);
        _start = _scan = _end;
        if (written == 0)
        {
            return _eof ? StepKind.End : StepKind.NeedMore;
        }

        RawText = new string(_chars, 0, written);
        Chunks++;
        return StepKind.Chunk;
    }

    /// <summary>Gives the decoded characters' buffer back to the pool (rented: a read of the full buffer needs 32 KB of them).</summary>
    private void ReturnChars()
    {
        if (_chars.Length > 0)
        {
            ArrayPool<char>.Shared.Return(_chars);
            _chars = [];
        }
    }
}
