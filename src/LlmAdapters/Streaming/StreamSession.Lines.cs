using System.Text;

namespace LlmAdapters.Streaming;

internal sealed partial class StreamSession
{
    // The last line ended with \r at the end of the buffer: a \n that starts the next read belongs to it.
    private bool _skipLf;

    private StepKind StepLines()
    {
        while (true)
        {
            if (!TryReadLine(out var lineStart, out var lineLength))
            {
                return _eof ? StepKind.End : StepKind.NeedMore;
            }

            if (lineLength == 0)
            {
                continue;
            }

            var result = DecodeLine(lineStart, lineLength, default);
            if (result is { } kind)
            {
                return kind;
            }
        }
    }

    /// <summary>Applies chunk_match to a line and decodes the payload; null when the line does not match or is empty.</summary>
    private StepKind? DecodeLine(int lineStart, int lineLength, ReadOnlySpan<byte> eventType)
    {
        if (_plan.Matcher is not { } matcher)
        {
            return DecodeBuffered(lineStart, lineLength, eventType);
        }

        if (!matcher.TryMatch(_buffer.AsSpan(lineStart, lineLength), out var start, out var length, out var decoded))
        {
            return null;
        }

        if (decoded is null)
        {
            return DecodeBuffered(lineStart + start, length, eventType);
        }

        var bytes = Scratch(Encoding.UTF8.GetMaxByteCount(decoded.Length));
        return DecodeScratch(Encoding.UTF8.GetBytes(decoded, bytes), eventType);
    }

    /// <summary>Finds the next complete line; \n, \r\n and \r end lines. At the end of the body, the rest is the last line.</summary>
    private bool TryReadLine(out int lineStart, out int lineLength)
    {
        if (_skipLf && _start < _end)
        {
            if (_buffer[_start] == (byte)'\n')
            {
                _start++;
            }

            _skipLf = false;
            _scan = Math.Max(_scan, _start);
        }

        var span = _buffer.AsSpan(_scan, _end - _scan);
        var i = span.IndexOfAny((byte)'\r', (byte)'\n');
        if (i < 0)
        {
            _scan = _end;
            if (_end - _start > _maxLine)
            {
                throw new InvalidChunkException($"a line of the stream is longer than the limit of {_maxLine} bytes (MaxStreamLineBytes)");
            }

            if (_eof && _end > _start)
            {
                lineStart = _start;
                lineLength = _end - _start;
                _start = _scan = _end;
                return true;
            }

            lineStart = lineLength = 0;
            return false;
        }

        var terminator = _scan + i;
        lineStart = _start;
        lineLength = terminator - _start;
        if (lineLength > _maxLine)
        {
            throw new InvalidChunkException($"a line of the stream is longer than the limit of {_maxLine} bytes (MaxStreamLineBytes)");
        }

        var next = terminator + 1;
        if (_buffer[terminator] == (byte)'\r')
        {
            if (next < _end)
            {
                if (_buffer[next] == (byte)'\n')
                {
                    next++;
                }
            }
            else
            {
                _skipLf = true;
            }
        }

        _start = _scan = next;
        return true;
    }
}
