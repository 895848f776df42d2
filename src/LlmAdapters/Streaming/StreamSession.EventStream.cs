using System.Text;
using System.Text.Json;

namespace LlmAdapters.Streaming;

internal sealed partial class StreamSession
{
    /// <summary>
    /// aws-eventstream (application/vnd.amazon.eventstream): each <see cref="EventStreamMessage"/> is cut out as soon as all
    /// its bytes have arrived, with both CRCs checked. An <c>event</c> message's payload is a chunk, its <c>:event-type</c>
    /// the chunk's event type (<c>@event</c>); an <c>exception</c> message fails the stream with the payload's message and
    /// its <c>:exception-type</c> as the vendor's code, an <c>error</c> message with <c>:error-message</c> and <c>:error-code</c>.
    /// </summary>
    private StepKind StepEventStream()
    {
        while (true)
        {
            var available = _buffer.AsSpan(_start, _end - _start);
            var length = EventStreamMessage.Measure(available, _maxLine);
            if (length == 0 || available.Length < length)
            {
                if (!_eof)
                {
                    return StepKind.NeedMore;
                }

                if (available.Length > 0)
                {
                    Truncation = length == 0
                        ? $"the body ended inside an event-stream message's prelude ({available.Length} of {EventStreamMessage.PreludeLength} bytes)"
                        : $"the body ended inside an event-stream message ({available.Length} of its {length} bytes)";
                }

                return StepKind.End;
            }

            var message = EventStreamMessage.Parse(available[..length]);
            var payloadStart = _start + message.PayloadOffset;
            _start = _scan = _start + length;
            if (message.MessageType.IsEmpty || message.MessageType.SequenceEqual("event"u8))
            {
                if (DecodeBuffered(payloadStart, message.Payload.Length, message.EventType) is { } kind)
                {
                    return kind;
                }

                continue;
            }

            if (message.MessageType.SequenceEqual("exception"u8))
            {
                var code = message.ExceptionType.IsEmpty ? null : Encoding.UTF8.GetString(message.ExceptionType);
                var vendorMessage = PayloadMessage(message.Payload);
                throw new InvalidChunkException($"the vendor sent an exception in the stream ({code ?? "no :exception-type"}): {vendorMessage ?? EventExcerpt(message.Payload)}", vendorMessage, code);
            }

            if (message.MessageType.SequenceEqual("error"u8))
            {
                var code = message.ErrorCode.IsEmpty ? null : Encoding.UTF8.GetString(message.ErrorCode);
                var vendorMessage = message.ErrorMessage.IsEmpty ? null : Encoding.UTF8.GetString(message.ErrorMessage);
                throw new InvalidChunkException($"the vendor sent an error in the stream ({code ?? "no :error-code"}): {vendorMessage}", vendorMessage, code);
            }

            throw new InvalidChunkException($"an event-stream message has the :message-type '{Encoding.UTF8.GetString(message.MessageType)}', which is neither event, exception nor error");
        }
    }

    /// <summary>The <c>message</c> (or <c>Message</c>) string of an exception's JSON payload; null when it has none.</summary>
    private static string? PayloadMessage(ReadOnlySpan<byte> payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isMessage = Internal.JsonNames.Equal(ref reader, "message"u8) || Internal.JsonNames.Equal(ref reader, "Message"u8);
                if (!reader.Read())
                {
                    return null;
                }

                if (isMessage && reader.TokenType == JsonTokenType.String)
                {
                    return reader.GetString();
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not JSON: the excerpt is reported instead.
        }

        return null;
    }

    private static string EventExcerpt(ReadOnlySpan<byte> payload)
        => Encoding.UTF8.GetString(payload[..Math.Min(payload.Length, 200)]);
}
