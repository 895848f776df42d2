using System.Buffers.Binary;
using System.IO.Hashing;

namespace LlmAdapters.Streaming;

/// <summary>
/// One message of the AWS event-stream encoding (application/vnd.amazon.eventstream): a prelude (total length, headers
/// length, CRC-32 of those 8 bytes), headers (name length, name, value type, value), a payload and a CRC-32 of everything
/// before it. <see cref="Measure"/> finds where a message ends and checks the prelude; <see cref="Parse"/> checks the
/// message CRC and reads the headers the framing needs. Both work on spans of the session's buffer and allocate nothing.
/// </summary>
internal readonly ref struct EventStreamMessage
{
    /// <summary>Prelude (12 bytes) plus the message CRC (4 bytes).</summary>
    public const int Overhead = 16;

    public const int PreludeLength = 12;

    /// <summary>The <c>:message-type</c> header: event, exception or error (empty when absent).</summary>
    public ReadOnlySpan<byte> MessageType { get; private init; }

    /// <summary>The <c>:event-type</c> header.</summary>
    public ReadOnlySpan<byte> EventType { get; private init; }

    /// <summary>The <c>:exception-type</c> header of an exception message.</summary>
    public ReadOnlySpan<byte> ExceptionType { get; private init; }

    /// <summary>The <c>:error-code</c> header of an error message.</summary>
    public ReadOnlySpan<byte> ErrorCode { get; private init; }

    /// <summary>The <c>:error-message</c> header of an error message.</summary>
    public ReadOnlySpan<byte> ErrorMessage { get; private init; }

    /// <summary>Where the payload starts in the message.</summary>
    public int PayloadOffset { get; private init; }

    public ReadOnlySpan<byte> Payload { get; private init; }

    /// <summary>The whole length of the message that starts <paramref name="available"/>, once its prelude has arrived; 0 while it has not.</summary>
    /// <exception cref="InvalidChunkException">The prelude's CRC does not match, its lengths are impossible, or the message is longer than <paramref name="maxLength"/>.</exception>
    public static int Measure(ReadOnlySpan<byte> available, int maxLength)
    {
        if (available.Length < PreludeLength)
        {
            return 0;
        }

        var total = BinaryPrimitives.ReadUInt32BigEndian(available);
        var headersLength = BinaryPrimitives.ReadUInt32BigEndian(available[4..]);
        if (Crc32.HashToUInt32(available[..8]) != BinaryPrimitives.ReadUInt32BigEndian(available[8..]))
        {
            throw new InvalidChunkException($"an event-stream message's prelude checksum does not match (total length {total}, headers length {headersLength}): the stream is corrupt");
        }

        if (total < Overhead || headersLength > total - Overhead)
        {
            throw new InvalidChunkException($"an event-stream message has an impossible prelude (total length {total}, headers length {headersLength})");
        }

        if (total > (uint)maxLength)
        {
            throw new InvalidChunkException($"an event-stream message of {total} bytes is longer than the limit of {maxLength} bytes (MaxStreamLineBytes)");
        }

        return (int)total;
    }

    /// <summary>Reads a whole message (as long as <see cref="Measure"/> said).</summary>
    /// <exception cref="InvalidChunkException">The message CRC does not match, or the headers are malformed.</exception>
    public static EventStreamMessage Parse(ReadOnlySpan<byte> message)
    {
        if (Crc32.HashToUInt32(message[..^4]) != BinaryPrimitives.ReadUInt32BigEndian(message[^4..]))
        {
            throw new InvalidChunkException($"an event-stream message's checksum does not match ({message.Length} bytes): the stream is corrupt");
        }

        var headersLength = (int)BinaryPrimitives.ReadUInt32BigEndian(message[4..]);
        var headers = message.Slice(PreludeLength, headersLength);
        ReadOnlySpan<byte> messageType = default, eventType = default, exceptionType = default, errorCode = default, errorMessage = default;
        var i = 0;
        while (i < headers.Length)
        {
            int nameLength = headers[i++];
            if (nameLength == 0 || i + nameLength + 1 > headers.Length)
            {
                throw new InvalidChunkException("an event-stream message's headers are malformed (a header name runs past them)");
            }

            var name = headers.Slice(i, nameLength);
            i += nameLength;
            var type = headers[i++];
            var valueLength = type switch
            {
                0 or 1 => 0, // true, false
                2 => 1, // byte
                3 => 2, // int16
                4 => 4, // int32
                5 or 8 => 8, // int64, timestamp
                9 => 16, // uuid
                6 or 7 => -1, // byte array, string: a 2-byte length first
                _ => throw new InvalidChunkException($"an event-stream header has the unknown value type {type}"),
            };
            if (valueLength < 0)
            {
                if (i + 2 > headers.Length)
                {
                    throw new InvalidChunkException("an event-stream message's headers are malformed (a value length runs past them)");
                }

                valueLength = BinaryPrimitives.ReadUInt16BigEndian(headers[i..]);
                i += 2;
            }

            if (i + valueLength > headers.Length)
            {
                throw new InvalidChunkException("an event-stream message's headers are malformed (a value runs past them)");
            }

            var value = headers.Slice(i, valueLength);
            i += valueLength;
            if (type != 7 || name[0] != (byte)':')
            {
                continue; // only the string headers of the protocol (":...") decide anything
            }

            if (name.SequenceEqual(":message-type"u8))
            {
                messageType = value;
            }
            else if (name.SequenceEqual(":event-type"u8))
            {
                eventType = value;
            }
            else if (name.SequenceEqual(":exception-type"u8))
            {
                exceptionType = value;
            }
            else if (name.SequenceEqual(":error-code"u8))
            {
                errorCode = value;
            }
            else if (name.SequenceEqual(":error-message"u8))
            {
                errorMessage = value;
            }
        }

        var payloadOffset = PreludeLength + headersLength;
        return new EventStreamMessage
        {
            MessageType = messageType,
            EventType = eventType,
            ExceptionType = exceptionType,
            ErrorCode = errorCode,
            ErrorMessage = errorMessage,
            PayloadOffset = payloadOffset,
            Payload = message[payloadOffset..^4],
        };
    }
}
