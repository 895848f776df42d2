using System.Buffers;
using System.Text;

namespace LlmAdapters.Streaming;

/// <summary>Cuts a response body into chunks by the call's <c>stream_format</c> and decodes each, over one pooled buffer.</summary>
/// <remarks>
/// The caller reads the body into <see cref="GetReadBuffer"/>, calls <see cref="Advance"/> (or <see cref="Complete"/> at the
/// end), then <see cref="Step"/> until it returns <see cref="StepKind.NeedMore"/>. Bytes are kept only until their line,
/// event or element is complete, so memory does not grow with the length of the stream; a line longer than the limit
/// is an error, never an out-of-memory. Per call; not thread-safe.
/// </remarks>
internal sealed partial class StreamSession : IDisposable
{
    private const int InitialBufferSize = 16 * 1024;

    private readonly StreamPlan _plan;
    private readonly int _maxLine;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private int _scan;
    private bool _eof;

    // The payload of the current chunk: a range of _buffer, of _scratch or of _split (SSE).
    private byte[] _payloadArray = [];
    private int _payloadStart;
    private int _payloadLength;
    private byte[] _scratch = [];

    public StreamSession(StreamPlan plan, int maxLineBytes, string callDescription, long maxJoinedChars = long.MaxValue)
    {
        _plan = plan;
        _maxLine = maxLineBytes;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialBufferSize, maxLineBytes + 2));
        Decoder = new ChunkDecoder(plan, callDescription, maxJoinedChars);
        if (!plan.Framing.DecodesPayloads)
        {
            _utf8 = Encoding.UTF8.GetDecoder();
        }
    }

    public ChunkDecoder Decoder { get; }

    /// <summary>The framing's row of the table.</summary>
    public Framing Framing => _plan.Framing;

    /// <summary>The HTTP status of the response being read.</summary>
    public int StatusCode { get; set; }

    /// <summary>The text piece of the current chunk, whatever the format.</summary>
    public string? CurrentText => !_plan.Framing.DecodesPayloads && _whole is null ? RawText : Decoder.Text;

    /// <summary>True once the end marker has been seen.</summary>
    public bool SawDone { get; private set; }

    /// <summary>True when the body ended in the middle of something (an unclosed JSON array).</summary>
    public string? Truncation { get; private set; }

    /// <summary>The current chunk's payload, for <see cref="ChunkDecoder.CurrentSnapshot"/>; valid until the next read.</summary>
    public ReadOnlySpan<byte> CurrentPayload => _payloadArray.AsSpan(_payloadStart, _payloadLength);

    /// <summary>Free space to read into: compacts, and grows the buffer while a single line needs it.</summary>
    /// <exception cref="InvalidChunkException">A line (or event, or array element) is longer than the limit.</exception>
    public Memory<byte> GetReadBuffer()
    {
        if (_start > 0)
        {
            var pending = _end - _start;
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, pending);
            _scan -= _start;
            _end = pending;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length > _maxLine)
            {
                throw new InvalidChunkException($"a line of the stream is longer than the limit of {_maxLine} bytes (MaxStreamLineBytes)");
            }

            var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, _maxLine + 2));
            Buffer.BlockCopy(_buffer, 0, bigger, 0, _end);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        return _buffer.AsMemory(_end);
    }

    public void Advance(int count)
    {
        if (_firstLength < FirstBytesLimit)
        {
            Remember(_buffer.AsSpan(_end, count));
        }

        _end += count;
    }

    /// <summary>The body has ended.</summary>
    public void Complete() => _eof = true;

    /// <summary>Processes buffered bytes until a chunk is ready, more bytes are needed, or the stream is over.</summary>
    /// <exception cref="InvalidChunkException">A chunk is invalid or carries a vendor error.</exception>
    public StepKind Step()
    {
        if (_whole is not null)
        {
            return StepWhole();
        }

        return _plan.Format switch
        {
            StreamFormat.Sse => StepSse(),
            StreamFormat.Raw => StepRaw(),
            StreamFormat.JsonArray => StepJsonArray(),
            StreamFormat.Lines => StepLines(),
            StreamFormat.AwsEventStream => StepEventStream(),
            _ => throw new System.Diagnostics.UnreachableException($"stream_format {_plan.Format} has no reader."),
        };
    }

    /// <summary>How many chunks (payloads that were not empty, the end marker included) have been decoded.</summary>
    public int Chunks { get; private set; }

    /// <summary>The first bytes of the body (up to <see cref="FirstBytesLimit"/>), for messages about a body that is not the stream expected.</summary>
    public ReadOnlySpan<byte> FirstBytes => _first.AsSpan(0, _firstLength);

    /// <summary>How many of the body's first bytes are kept for messages.</summary>
    public const int FirstBytesLimit = 256;

    private readonly byte[] _first = new byte[FirstBytesLimit];
    private int _firstLength;
    private byte[]? _whole;
    private bool _wholeRead;

    /// <summary>
    /// Reads <paramref name="body"/> as one payload instead of the call's framing: a 2xx JSON body where a stream was
    /// expected is the vendor's whole answer (or its error), read through the same resp and error items.
    /// </summary>
    public void LoadWhole(byte[] body)
    {
        _whole = body;
        Remember(body);
    }

    /// <summary>True when the body was read as one JSON payload (<see cref="LoadWhole"/>).</summary>
    public bool IsWhole => _whole is not null;

    private StepKind StepWhole()
    {
        if (_wholeRead)
        {
            return StepKind.End;
        }

        _wholeRead = true;
        return Decode(_whole!, 0, _whole!.Length, default) ?? StepKind.End;
    }

    private void Remember(ReadOnlySpan<byte> bytes)
    {
        var n = Math.Min(bytes.Length, FirstBytesLimit - _firstLength);
        bytes[..n].CopyTo(_first.AsSpan(_firstLength));
        _firstLength += n;
    }

    /// <summary>Decodes a payload in the buffer; null when it was empty and the caller should go on.</summary>
    private StepKind? DecodeBuffered(int start, int length, ReadOnlySpan<byte> eventType) => Decode(_buffer, start, length, eventType);

    /// <summary>Decodes a payload copied into the scratch buffer (SSE data, regex captures); null when it was empty.</summary>
    private StepKind? DecodeScratch(int length, ReadOnlySpan<byte> eventType) => Decode(_scratch, 0, length, eventType);

    private StepKind? Decode(byte[] array, int start, int length, ReadOnlySpan<byte> eventType)
    {
        _payloadArray = array;
        _payloadStart = start;
        _payloadLength = length;
        if (!Decoder.Decode(array.AsSpan(start, length), eventType))
        {
            return null;
        }

        Chunks++;
        if (Decoder.IsDone)
        {
            SawDone = true;
            return StepKind.Done;
        }

        return StepKind.Chunk;
    }

    /// <summary>The scratch buffer, at least <paramref name="length"/> long, keeping its first <paramref name="keep"/> bytes.</summary>
    private Span<byte> Scratch(int length, int keep = 0)
    {
        if (_scratch.Length < length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(length, Math.Max(256, _scratch.Length * 2)));
            if (_scratch.Length > 0)
            {
                _scratch.AsSpan(0, keep).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_scratch);
            }

            _scratch = bigger;
        }

        return _scratch.AsSpan(0, length);
    }

    public void Dispose()
    {
        Decoder.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _payloadArray = [];
        ReturnSplit();
        ReturnChars();
        if (_scratch.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = [];
        }
    }
}
