using System.Buffers;
using System.Text.Json;

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

    // Where each data line of the current event starts in the joined data (from the second line on, the data is in scratch).
    private int[] _lineStarts = new int[4];
    private int _lineCount;

    // An event whose data lines are each a whole JSON value: its lines, decoded one chunk at a time from their own buffer.
    private byte[] _split = [];
    private int[] _splitStarts = [];
    private int[] _splitLengths = [];
    private int _splitCount;
    private int _splitNext;
    private byte[] _splitEvent = [];
    private int _splitEventLength;

    /// <summary>
    /// Server-Sent Events: data lines are joined with \n until a blank line dispatches the event. An event whose data
    /// lines are each a whole JSON object or array (or the end marker) is read as one chunk per line: some vendors send
    /// their chunks so, with no blank line between them, and joining them would make no JSON at all.
    /// </summary>
    private StepKind StepSse()
    {
        while (true)
        {
            if (_splitNext < _splitCount)
            {
                var split = DecodeSplitLine();
                if (split is { } s)
                {
                    return s;
                }

                continue;
            }

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

                    continue; // a split event's lines come first
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
                    _lineCount = 1;
                    continue;
                }

                if (_dataInBuffer)
                {
                    MoveDataToScratch();
                }

                var data = Scratch(needed, keep: _dataLength);
                data[_dataLength++] = (byte)'\n';
                if (_lineCount == _lineStarts.Length)
                {
                    Array.Resize(ref _lineStarts, _lineCount * 2);
                }

                _lineStarts[_lineCount++] = _dataLength;
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
        var lines = _lineCount;
        _hasData = false;
        _dataInBuffer = false;
        _dataLength = 0;
        _lineCount = 0;
        var eventType = _eventType.AsSpan(0, _eventTypeLength);
        _eventTypeLength = 0;
        if (!hadData)
        {
            return null;
        }

        if (lines > 1 && EachLineIsAChunk(_scratch.AsSpan(0, length), lines))
        {
            BeginSplit(length, lines, eventType);
            return null; // StepSse decodes the lines one by one
        }

        return DecodeData(inBuffer ? _buffer : _scratch, inBuffer ? _dataStart : 0, length, eventType);
    }

    /// <summary>Applies chunk_match to an event's data (or one line of a split event) and decodes the payload; null when there is nothing to report.</summary>
    private StepKind? DecodeData(byte[] array, int dataStart, int length, ReadOnlySpan<byte> eventType)
    {
        if (_plan.Matcher is { } matcher)
        {
            if (!matcher.TryMatch(array.AsSpan(dataStart, length), out var start, out var matchLength, out var decoded))
            {
                return null;
            }

            if (decoded is not null)
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(decoded);
                bytes.CopyTo(Scratch(bytes.Length));
                return DecodeScratch(bytes.Length, eventType);
            }

            return Decode(array, dataStart + start, matchLength, eventType);
        }

        return Decode(array, dataStart, length, eventType);
    }

    /// <summary>True when every data line of the event is, by itself, one whole JSON object or array, or the end marker.</summary>
    private bool EachLineIsAChunk(ReadOnlySpan<byte> data, int lines)
    {
        for (var i = 0; i < lines; i++)
        {
            var end = i + 1 < lines ? _lineStarts[i + 1] - 1 : data.Length;
            var line = data[(i == 0 ? 0 : _lineStarts[i])..end].Trim(" \t\r\n"u8);
            if (_plan.Done is { } done && line.SequenceEqual(done))
            {
                continue;
            }

            if (line.IsEmpty || (line[0] != (byte)'{' && line[0] != (byte)'['))
            {
                return false;
            }

            try
            {
                var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 256 });
                if (!reader.Read() || !reader.TrySkip() || reader.Read())
                {
                    return false;
                }
            }
            catch (JsonException)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Copies the event's lines into their own buffer (a chunk_match capture may reuse scratch) and records where each lies.</summary>
    private void BeginSplit(int length, int lines, ReadOnlySpan<byte> eventType)
    {
        if (_split.Length < length)
        {
            ReturnSplit();
            _split = ArrayPool<byte>.Shared.Rent(length);
        }

        _scratch.AsSpan(0, length).CopyTo(_split);
        if (_splitStarts.Length < lines)
        {
            _splitStarts = new int[lines];
            _splitLengths = new int[lines];
        }

        for (var i = 0; i < lines; i++)
        {
            var start = i == 0 ? 0 : _lineStarts[i];
            var end = i + 1 < lines ? _lineStarts[i + 1] - 1 : length;
            _splitStarts[i] = start;
            _splitLengths[i] = end - start;
        }

        if (_splitEvent.Length < eventType.Length)
        {
            _splitEvent = new byte[eventType.Length];
        }

        eventType.CopyTo(_splitEvent);
        _splitEventLength = eventType.Length;
        _splitCount = lines;
        _splitNext = 0;
    }

    private StepKind? DecodeSplitLine()
    {
        var i = _splitNext++;
        if (_splitNext == _splitCount)
        {
            _splitCount = _splitNext = 0;
        }

        return DecodeData(_split, _splitStarts[i], _splitLengths[i], _splitEvent.AsSpan(0, _splitEventLength));
    }

    private void ReturnSplit()
    {
        if (_split.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_split);
            _split = [];
        }
    }
}
