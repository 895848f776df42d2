namespace LlmAdapters.Streaming;

internal sealed partial class StreamSession
{
    private int _dataLength;
    private bool _hasData;

    // An event with one data line (nearly all of them) is decoded where it lies in the read buffer: _dataStart is where.
    // Only a second data line, or a read needed before the blank line, copies it into the scratch buffer.
    private bool _dataInBuffer;
    private int _dataStart;
    private byte[] _eventType = new byte[64];
    private int _eventTypeLength;

    /// <summary>Server-Sent Events: data lines are joined with \n until a blank line dispatches the event.</summary>
    private StepKind StepSse()
    {
        while (true)
        {
            if (!TryReadLine(out var lineStart, out var lineLength))
            {
                if (_eof && _hasData)
                {
                    // The body ended without the blank line after its last event: dispatch it anyway.
                    var last = DispatchEvent();
                    if (last is { } k)
                    {
                        return k;
                    }
                }

                if (_dataInBuffer)
                {
                    MoveDataToScratch(); // the read that follows may move or reuse the buffer's bytes
                }

                return _eof ? StepKind.End : StepKind.NeedMore;
            }

            if (lineLength == 0)
            {
                var result = DispatchEvent();
                if (result is { } kind)
                {
                    return kind;
                }

                continue;
            }

            var line = _buffer.AsSpan(lineStart, lineLength);
            if (line[0] == (byte)':')
            {
                continue; // a comment, such as ": keep-alive"
            }

            var colon = line.StartsWith("data:"u8) ? 4 : line.IndexOf((byte)':'); // nearly every line is a data line
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? default : line[(colon + 1)..];
            if (!value.IsEmpty && value[0] == (byte)' ')
            {
                value = value[1..];
            }

            if (field.SequenceEqual("data"u8))
            {
                var needed = _dataLength + (_hasData ? 1 : 0) + value.Length;
                if (needed > _maxLine)
                {
                    throw new InvalidChunkException($"an event of the stream is longer than the limit of {_maxLine} bytes (MaxStreamLineBytes)");
                }

                if (!_hasData)
                {
                    _dataInBuffer = true;
                    _dataStart = lineStart + lineLength - value.Length; // value is the end of the line
                    _dataLength = value.Length;
                    _hasData = true;
                    continue;
                }

                if (_dataInBuffer)
                {
                    MoveDataToScratch();
                }

                var data = Scratch(needed, keep: _dataLength);
                data[_dataLength++] = (byte)'\n';
                value.CopyTo(data[_dataLength..]);
                _dataLength += value.Length;
            }
            else if (field.SequenceEqual("event"u8))
            {
                if (_eventType.Length < value.Length)
                {
                    _eventType = new byte[value.Length];
                }

                value.CopyTo(_eventType);
                _eventTypeLength = value.Length;
            }

            // id: and retry: are not needed to read a response.
        }
    }

    private void MoveDataToScratch()
    {
        _buffer.AsSpan(_dataStart, _dataLength).CopyTo(Scratch(_dataLength));
        _dataInBuffer = false;
    }

    private StepKind? DispatchEvent()
    {
        var hadData = _hasData;
        var length = _dataLength;
        var inBuffer = _dataInBuffer;
        _hasData = false;
        _dataInBuffer = false;
        _dataLength = 0;
        var eventType = _eventType.AsSpan(0, _eventTypeLength);
        _eventTypeLength = 0;
        if (!hadData)
        {
            return null;
        }

        var data = inBuffer ? _buffer.AsSpan(_dataStart, length) : _scratch.AsSpan(0, length);
        if (_plan.Matcher is { } matcher)
        {
            if (!matcher.TryMatch(data, out var start, out var matchLength, out var decoded))
            {
                return null;
            }

            if (decoded is not null)
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(decoded);
                bytes.CopyTo(Scratch(bytes.Length));
                return DecodeScratch(bytes.Length, eventType);
            }

            if (inBuffer)
            {
                return DecodeBuffered(_dataStart + start, matchLength, eventType);
            }

            _scratch.AsSpan(start, matchLength).CopyTo(_scratch);
            length = matchLength;
        }

        return inBuffer ? DecodeBuffered(_dataStart, length, eventType) : DecodeScratch(length, eventType);
    }
}
