using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace LlmAdapters.Benchmarks.Support;

/// <summary>
/// The hand-written baselines: what a good engineer writes for one vendor without a library. One pooled byte buffer,
/// lines cut with a vectorized IndexOf, no regex, no JsonDocument; Utf8JsonReader walks to the one value needed and
/// the content is yielded as a string. Only what each format needs is handled (\n and \r\n line ends, SSE "data:"
/// lines with an optional space); the library also handles \r alone, multi-line data, comments, limits and errors.
/// </summary>
public static class HandWritten
{
    private static readonly byte[]?[] OpenAiContent = [.. Steps("choices"), null, .. Steps("delta", "content")];
    private static readonly byte[]?[] OpenAiMessageContent = [.. Steps("choices"), null, .. Steps("message", "content")];
    private static readonly byte[]?[] OllamaContent = Steps("message", "content");
    private static readonly byte[]?[] AnthropicText = Steps("delta", "text");
    private static readonly byte[]?[] DashScopeText = Steps("output", "text");
    private static readonly byte[]?[] DashScopeMessageContent = [.. Steps("output", "choices"), null, .. Steps("message", "content")];
    private static readonly byte[]?[] BedrockText = Steps("delta", "text");
    private static readonly byte[]?[] GeminiText = [.. Steps("candidates"), null, .. Steps("content", "parts"), null, .. Steps("text")];

    private enum Step
    {
        Piece,
        NeedMore,
        Done,
    }

    /// <summary>OpenAI SSE: yields choices[0].delta.content of every data line until <c>data: [DONE]</c>.</summary>
    /// <param name="body">The response body.</param>
    /// <param name="toEnd">Whether each chunk is read to its end after its text (see <see cref="ReadRest"/>).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public static async IAsyncEnumerable<string> OpenAiSseAsync(Stream body, bool toEnd = false, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var lines = new LineBuffer();
        while (true)
        {
            var step = NextOpenAi(lines, toEnd, out var text);
            if (step == Step.Piece)
            {
                yield return text!;
                continue;
            }

            if (step == Step.Done || lines.Eof)
            {
                yield break;
            }

            lines.Advance(await body.ReadAsync(lines.GetReadMemory(), cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>Ollama NDJSON: yields message.content of every line.</summary>
    public static async IAsyncEnumerable<string> OllamaNdjsonAsync(Stream body, bool toEnd = false, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var lines = new LineBuffer();
        while (true)
        {
            var step = NextOllama(lines, toEnd, out var text);
            if (step == Step.Piece)
            {
                yield return text!;
                continue;
            }

            if (step == Step.Done || lines.Eof)
            {
                yield break;
            }

            lines.Advance(await body.ReadAsync(lines.GetReadMemory(), cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>Anthropic SSE: yields delta.text of the data of every content_block_delta event; stops at message_stop.</summary>
    public static async IAsyncEnumerable<string> AnthropicSseAsync(Stream body, bool toEnd = false, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var lines = new LineBuffer();
        var state = new AnthropicState();
        while (true)
        {
            var step = NextAnthropic(lines, state, toEnd, out var text);
            if (step == Step.Piece)
            {
                yield return text!;
                continue;
            }

            if (step == Step.Done || lines.Eof)
            {
                yield break;
            }

            lines.Advance(await body.ReadAsync(lines.GetReadMemory(), cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>
    /// DashScope cumulative SSE: each event repeats all text so far; yields only the new end. The text is unescaped into
    /// a pooled char buffer and compared with the previous one there, so only the new piece becomes a string.
    /// </summary>
    public static IAsyncEnumerable<string> CumulativeSseAsync(Stream body, CancellationToken cancellationToken = default)
        => CumulativeSseAsync(body, DashScopeText, toEnd: false, cancellationToken);

    private static async IAsyncEnumerable<string> CumulativeSseAsync(Stream body, byte[]?[] path, bool toEnd, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var lines = new LineBuffer();
        using var state = new CumulativeState();
        while (true)
        {
            var step = NextCumulative(lines, state, path, toEnd, out var text);
            if (step == Step.Piece)
            {
                yield return text!;
                continue;
            }

            if (step == Step.Done || lines.Eof)
            {
                yield break;
            }

            lines.Advance(await body.ReadAsync(lines.GetReadMemory(), cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>Gemini SSE (alt=sse): yields candidates[0].content.parts[0].text of every data line; the body's end ends it.</summary>
    public static IAsyncEnumerable<string> GeminiSseAsync(Stream body, bool toEnd = false, CancellationToken cancellationToken = default)
        => SseJsonAsync(body, GeminiText, toEnd, cancellationToken);

    /// <summary>DashScope native SSE with result_format "message" and incremental output: yields output.choices[0].message.content.</summary>
    public static IAsyncEnumerable<string> DashScopeSseAsync(Stream body, bool toEnd = false, CancellationToken cancellationToken = default)
        => SseJsonAsync(body, DashScopeMessageContent, toEnd, cancellationToken);

    /// <summary>DashScope native SSE with result_format "message", incremental_output false: yields the new end of each event.</summary>
    public static IAsyncEnumerable<string> DashScopeCumulativeSseAsync(Stream body, bool toEnd = false, CancellationToken cancellationToken = default)
        => CumulativeSseAsync(body, DashScopeMessageContent, toEnd, cancellationToken);

    /// <summary>Raw text: the body is the answer; each read is decoded (a character split across reads waits for its end) and yielded.</summary>
    public static async IAsyncEnumerable<string> RawTextAsync(Stream body, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var decoder = System.Text.Encoding.UTF8.GetDecoder();
        var bytes = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var chars = ArrayPool<char>.Shared.Rent(16 * 1024 + 4);
        try
        {
            while (true)
            {
                var read = await body.ReadAsync(bytes, cancellationToken).ConfigureAwait(false);
                var count = decoder.GetChars(bytes, 0, read, chars, 0, flush: read == 0);
                if (count > 0)
                {
                    yield return new string(chars, 0, count);
                }

                if (read == 0)
                {
                    yield break;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>
    /// AWS event stream (Bedrock ConverseStream): each message's prelude and message CRC-32 checked, its string headers
    /// read for :event-type, and delta.text of every contentBlockDelta event's JSON payload yielded.
    /// </summary>
    public static async IAsyncEnumerable<string> BedrockEventStreamAsync(Stream body, bool toEnd = false, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        int start = 0, end = 0;
        try
        {
            while (true)
            {
                while (end - start >= 12)
                {
                    var total = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(start));
                    if (total < 16 || total > buffer.Length)
                    {
                        throw new InvalidDataException("bad event-stream message length");
                    }

                    if (end - start < total)
                    {
                        break;
                    }

                    var text = BedrockMessage(buffer.AsSpan(start, total), toEnd);
                    start += total;
                    if (text is not null)
                    {
                        yield return text;
                    }
                }

                if (start > 0)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    end -= start;
                    start = 0;
                }

                var read = await body.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    yield break;
                }

                end += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static string? BedrockMessage(ReadOnlySpan<byte> message, bool toEnd)
    {
        if (Crc32(message[..8]) != System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(message[8..]) || Crc32(message[..^4]) != System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(message[^4..]))
        {
            throw new InvalidDataException("event-stream checksum mismatch");
        }

        var headersLength = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(message[4..]);
        var headers = message.Slice(12, headersLength);
        var isDelta = false;
        while (!headers.IsEmpty)
        {
            var name = headers.Slice(1, headers[0]);
            var type = headers[1 + name.Length];
            var valueLength = (headers[2 + name.Length] << 8) | headers[3 + name.Length];
            var value = headers.Slice(4 + name.Length, valueLength);
            if (type == 7 && name.SequenceEqual(":event-type"u8))
            {
                isDelta = value.SequenceEqual("contentBlockDelta"u8);
            }

            headers = headers[(4 + name.Length + valueLength)..];
        }

        if (!isDelta)
        {
            return null;
        }

        var reader = new Utf8JsonReader(message[(12 + headersLength)..^4]);
        var text = MoveTo(ref reader, BedrockText) && reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0 ? reader.GetString() : null;
        ReadRest(ref reader, toEnd);
        return text;
    }

    /// <summary>CRC-32 (IEEE), as the AWS event stream checks its messages: System.IO.Hashing's vectorised one, which a good engineer would take too.</summary>
    public static uint Crc32(ReadOnlySpan<byte> bytes) => System.IO.Hashing.Crc32.HashToUInt32(bytes);

    /// <summary>
    /// Gemini's stream without alt=sse, one JSON array: yields candidates[0].content.parts[0].text of every element. Each
    /// element's end is found with a vectorized search for quotes and brackets (<see cref="ArrayBuffer"/>), then its text
    /// read with Utf8JsonReader.
    /// </summary>
    public static async IAsyncEnumerable<string> GeminiJsonArrayAsync(Stream body, bool toEnd = false, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var elements = new ArrayBuffer();
        while (true)
        {
            var step = NextElement(elements, GeminiText, toEnd, out var text);
            if (step == Step.Piece)
            {
                yield return text!;
                continue;
            }

            if (step == Step.Done || elements.Eof)
            {
                yield break;
            }

            elements.Advance(await body.ReadAsync(elements.GetReadMemory(), cancellationToken).ConfigureAwait(false));
        }
    }

    private static Step NextElement(ArrayBuffer elements, byte[]?[] path, bool toEnd, out string? text)
    {
        while (elements.TryReadElement(out var element))
        {
            var reader = new Utf8JsonReader(element);
            if (MoveTo(ref reader, path) && reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0)
            {
                text = reader.GetString();
                ReadRest(ref reader, toEnd);
                return Step.Piece;
            }

            ReadRest(ref reader, toEnd);
        }

        text = null;
        return elements.Closed ? Step.Done : Step.NeedMore;
    }

    /// <summary>Any SSE whose data lines are JSON: yields the non-empty string at <paramref name="path"/> of each.</summary>
    private static async IAsyncEnumerable<string> SseJsonAsync(Stream body, byte[]?[] path, bool toEnd, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var lines = new LineBuffer();
        while (true)
        {
            var step = NextSseJson(lines, path, toEnd, out var text);
            if (step == Step.Piece)
            {
                yield return text!;
                continue;
            }

            if (lines.Eof)
            {
                yield break;
            }

            lines.Advance(await body.ReadAsync(lines.GetReadMemory(), cancellationToken).ConfigureAwait(false));
        }
    }

    private static Step NextSseJson(LineBuffer lines, byte[]?[] path, bool toEnd, out string? text)
    {
        while (lines.TryReadLine(out var line))
        {
            if (!TryData(line, out var data))
            {
                continue;
            }

            var reader = new Utf8JsonReader(data);
            if (MoveTo(ref reader, path) && reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0)
            {
                text = reader.GetString();
                ReadRest(ref reader, toEnd);
                return Step.Piece;
            }

            ReadRest(ref reader, toEnd);
        }

        text = null;
        return Step.NeedMore;
    }

    /// <summary>choices[0].message.content of a non-streaming OpenAI response.</summary>
    public static string? OpenAiCompletionText(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        return MoveTo(ref reader, OpenAiMessageContent) && reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
    }

    /// <summary>An OpenAI chat request body, written with Utf8JsonWriter.</summary>
    public static ReadOnlyMemory<byte> OpenAiRequestBody(string model, IReadOnlyList<LlmMessage> messages, bool stream)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("model"u8, model);
            writer.WriteStartArray("messages"u8);
            foreach (var message in messages)
            {
                writer.WriteStartObject();
                writer.WriteString("role"u8, message.Role);
                writer.WriteString("content"u8, message.Content);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteBoolean("stream"u8, stream);
            if (stream)
            {
                writer.WriteStartObject("stream_options"u8);
                writer.WriteBoolean("include_usage"u8, true);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    private static Step NextOpenAi(LineBuffer lines, bool toEnd, out string? text)
    {
        while (lines.TryReadLine(out var line))
        {
            if (!TryData(line, out var data))
            {
                continue; // blank line, comment, or a field we do not need
            }

            if (data.SequenceEqual("[DONE]"u8))
            {
                text = null;
                return Step.Done;
            }

            var reader = new Utf8JsonReader(data);
            if (MoveTo(ref reader, OpenAiContent) && reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0)
            {
                text = reader.GetString();
                ReadRest(ref reader, toEnd);
                return Step.Piece;
            }

            ReadRest(ref reader, toEnd);
        }

        text = null;
        return Step.NeedMore;
    }

    private static Step NextOllama(LineBuffer lines, bool toEnd, out string? text)
    {
        while (lines.TryReadLine(out var line))
        {
            if (line.IsEmpty)
            {
                continue;
            }

            var reader = new Utf8JsonReader(line);
            if (MoveTo(ref reader, OllamaContent) && reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0)
            {
                text = reader.GetString();
                ReadRest(ref reader, toEnd);
                return Step.Piece;
            }

            ReadRest(ref reader, toEnd);
        }

        text = null;
        return Step.NeedMore;
    }

    private sealed class AnthropicState
    {
        public bool InDelta;
    }

    private static Step NextAnthropic(LineBuffer lines, AnthropicState state, bool toEnd, out string? text)
    {
        while (lines.TryReadLine(out var line))
        {
            if (line.IsEmpty)
            {
                state.InDelta = false; // the event is over
                continue;
            }

            if (line.StartsWith("event:"u8))
            {
                var name = line[6..].TrimStart((byte)' ');
                if (name.SequenceEqual("message_stop"u8))
                {
                    text = null;
                    return Step.Done;
                }

                state.InDelta = name.SequenceEqual("content_block_delta"u8);
                continue;
            }

            if (state.InDelta && TryData(line, out var data))
            {
                var reader = new Utf8JsonReader(data);
                if (MoveTo(ref reader, AnthropicText) && reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0)
                {
                    text = reader.GetString();
                    ReadRest(ref reader, toEnd);
                    return Step.Piece;
                }

                ReadRest(ref reader, toEnd);
            }
        }

        text = null;
        return Step.NeedMore;
    }

    private sealed class CumulativeState : IDisposable
    {
        public char[] Previous = ArrayPool<char>.Shared.Rent(4096);
        public int PreviousLength;
        public char[] Current = ArrayPool<char>.Shared.Rent(4096);

        public void Dispose()
        {
            ArrayPool<char>.Shared.Return(Previous);
            ArrayPool<char>.Shared.Return(Current);
        }
    }

    private static Step NextCumulative(LineBuffer lines, CumulativeState state, byte[]?[] path, bool toEnd, out string? text)
    {
        while (lines.TryReadLine(out var line))
        {
            if (!TryData(line, out var data))
            {
                continue;
            }

            var reader = new Utf8JsonReader(data);
            if (!MoveTo(ref reader, path) || reader.TokenType != JsonTokenType.String)
            {
                ReadRest(ref reader, toEnd);
                continue;
            }

            // Unescaped, the text has at most as many chars as its escaped UTF-8 bytes.
            var max = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
            if (state.Current.Length < max)
            {
                ArrayPool<char>.Shared.Return(state.Current);
                state.Current = ArrayPool<char>.Shared.Rent(max);
            }

            var length = reader.CopyString(state.Current);
            ReadRest(ref reader, toEnd);
            var current = state.Current.AsSpan(0, length);
            var previous = state.Previous.AsSpan(0, state.PreviousLength);
            var fresh = current.StartsWith(previous) ? current[previous.Length..] : current;
            text = fresh.IsEmpty ? null : new string(fresh);
            (state.Previous, state.Current) = (state.Current, state.Previous);
            state.PreviousLength = length;
            if (text is not null)
            {
                return Step.Piece;
            }
        }

        text = null;
        return Step.NeedMore;
    }

    /// <summary>The value of an SSE "data:" line, without the one optional space.</summary>
    private static bool TryData(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> data)
    {
        if (!line.StartsWith("data:"u8))
        {
            data = default;
            return false;
        }

        data = line[5..];
        if (!data.IsEmpty && data[0] == (byte)' ')
        {
            data = data[1..];
        }

        return true;
    }

    /// <summary>
    /// With <paramref name="toEnd"/>, reads the rest of the chunk, as issue 20's exactness constraint has the library do: a
    /// chunk that is malformed or cut short after its text then throws instead of passing unseen. Utf8JsonReader checks
    /// the syntax to the end and that nothing follows the value; it does not check the strings' UTF-8 that it is not
    /// asked to decode, nor anything the vendor may say in the rest (an error, a finish reason), as the library does.
    /// </summary>
    private static void ReadRest(ref Utf8JsonReader reader, bool toEnd)
    {
        while (toEnd && reader.Read())
        {
        }
    }

    /// <summary>Walks the reader to a value: each step a property name, or null for the first array element.</summary>
    private static bool MoveTo(ref Utf8JsonReader reader, byte[]?[] path)
    {
        if (!reader.Read())
        {
            return false;
        }

        foreach (var step in path)
        {
            if (step is null)
            {
                if (reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType == JsonTokenType.EndArray)
                {
                    return false;
                }

                continue;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (true)
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName)
                {
                    return false; // end of the object: not there
                }

                var match = reader.ValueTextEquals(step);
                reader.Read();
                if (match)
                {
                    break;
                }

                reader.Skip();
            }
        }

        return true;
    }

    private static byte[]?[] Steps(params string[] names) => [.. names.Select(n => System.Text.Encoding.UTF8.GetBytes(n))];

    /// <summary>A pooled byte buffer cut into lines (\n or \r\n). Lines are valid until the next <see cref="GetReadMemory"/>.</summary>
    /// <summary>
    /// A JSON array of objects read element by element: between elements white space and commas are skipped; inside one,
    /// only quotes and brackets are looked at, and in strings backslashes (found with a vectorized search).
    /// </summary>
    /// <summary>
    /// The pooled buffer under <see cref="LineBuffer"/> and <see cref="ArrayBuffer"/>: bytes from <c>_start</c> (the
    /// unfinished line or element) to <c>_end</c>, searched up to <c>_scan</c>; compacted and grown as one line or
    /// element needs, up to 1 MiB.
    /// </summary>
    private abstract class ReadBuffer(string tooLong) : IDisposable
    {
        private const int MaxPending = 1024 * 1024;
        protected byte[] _buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        protected int _start;
        protected int _scan;
        protected int _end;

        public bool Eof { get; private set; }

        /// <summary>Free space to read into: moves what is unfinished to the front, and grows the buffer while it needs more.</summary>
        public Memory<byte> GetReadMemory()
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _scan -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                if (_buffer.Length >= MaxPending)
                {
                    throw new InvalidDataException(tooLong);
                }

                var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
                Buffer.BlockCopy(_buffer, 0, bigger, 0, _end);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = bigger;
            }

            return _buffer.AsMemory(_end);
        }

        /// <summary>Takes <paramref name="read"/> bytes read into <see cref="GetReadMemory"/>; 0 is the end of the body.</summary>
        public void Advance(int read)
        {
            if (read == 0)
            {
                Eof = true;
            }
            else
            {
                _end += read;
            }
        }

        public void Dispose()
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private sealed class ArrayBuffer() : ReadBuffer("An element of the array is longer than 1 MiB.")
    {
        private static readonly SearchValues<byte> Between = SearchValues.Create(" \t\r\n,"u8);
        private static readonly SearchValues<byte> StringEnd = SearchValues.Create("\"\\"u8);
        private int _depth; // 0: between elements
        private bool _inString;
        private bool _opened;

        public bool Closed { get; private set; }

        public bool TryReadElement(out ReadOnlySpan<byte> element)
        {
            element = default;
            while (!Closed)
            {
                var span = _buffer.AsSpan(_scan, _end - _scan);
                if (_depth == 0)
                {
                    var i = span.IndexOfAnyExcept(Between);
                    if (i < 0)
                    {
                        _start = _scan = _end;
                        return false;
                    }

                    var b = span[i];
                    _scan += i + 1;
                    _start = _scan;
                    if (!_opened)
                    {
                        _opened = b == (byte)'[' ? true : throw new InvalidDataException("the body is not a JSON array");
                    }
                    else if (b == (byte)']')
                    {
                        Closed = true;
                    }
                    else if (b == (byte)'{')
                    {
                        (_start, _depth) = (_scan - 1, 1);
                    }
                    else
                    {
                        throw new InvalidDataException("an element of the array is not an object");
                    }

                    continue;
                }

                if (_inString)
                {
                    var i = span.IndexOfAny(StringEnd);
                    if (i < 0 || (span[i] == (byte)'\\' && i + 1 == span.Length))
                    {
                        _scan = i < 0 ? _end : _scan + i; // (a backslash last: looked at again with the byte after it)
                        return false;
                    }

                    _scan += span[i] == (byte)'\\' ? i + 2 : i + 1;
                    _inString = span[i] == (byte)'\\';
                    continue;
                }

                // Outside strings the structure is dense (a quote or bracket every few bytes): a byte loop, not a search.
                var j = 0;
                while (j < span.Length && span[j] is not ((byte)'"' or (byte)'{' or (byte)'[' or (byte)'}' or (byte)']'))
                {
                    j++;
                }

                if (j == span.Length)
                {
                    _scan = _end;
                    return false;
                }

                var c = span[j];
                _scan += j + 1;
                if (c == (byte)'"')
                {
                    _inString = true;
                }
                else if (c is (byte)'{' or (byte)'[')
                {
                    _depth++;
                }
                else if (--_depth == 0)
                {
                    element = _buffer.AsSpan(_start, _scan - _start);
                    _start = _scan;
                    return true;
                }
            }

            return false;
        }
    }

    private sealed class LineBuffer() : ReadBuffer("A line of the stream is longer than 1 MiB.")
    {

        public bool TryReadLine(out ReadOnlySpan<byte> line)
        {
            var i = _buffer.AsSpan(_scan, _end - _scan).IndexOf((byte)'\n');
            if (i < 0)
            {
                _scan = _end;
                if (Eof && _start < _end)
                {
                    line = _buffer.AsSpan(_start, _end - _start);
                    _start = _scan = _end;
                    return true;
                }

                line = default;
                return false;
            }

            var newline = _scan + i;
            var length = newline - _start;
            if (length > 0 && _buffer[newline - 1] == (byte)'\r')
            {
                length--;
            }

            line = _buffer.AsSpan(_start, length);
            _start = _scan = newline + 1;
            return true;
        }
    }
}
