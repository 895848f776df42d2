using System.Buffers.Binary;
using System.Text;

namespace LlmAdapters.Tests.TestSupport;

/// <summary>Writes AWS event-stream messages (prelude, string headers, payload, CRCs), for streams the tests need; checked against aws-sdk-go's encoded test vectors.</summary>
internal static class EventStreamEncoder
{
    public static byte[] Message(IEnumerable<(string Name, string Value)> headers, byte[] payload)
    {
        var head = new MemoryStream();
        foreach (var (name, value) in headers)
        {
            var n = Encoding.UTF8.GetBytes(name);
            var v = Encoding.UTF8.GetBytes(value);
            head.WriteByte((byte)n.Length);
            head.Write(n);
            head.WriteByte(7);
            head.WriteByte((byte)(v.Length >> 8));
            head.WriteByte((byte)v.Length);
            head.Write(v);
        }

        var headerBytes = head.ToArray();
        var total = 16 + headerBytes.Length + payload.Length;
        var message = new byte[total];
        BinaryPrimitives.WriteUInt32BigEndian(message, (uint)total);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), (uint)headerBytes.Length);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), Crc32(message.AsSpan(0, 8)));
        headerBytes.CopyTo(message, 12);
        payload.CopyTo(message, 12 + headerBytes.Length);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(total - 4), Crc32(message.AsSpan(0, total - 4)));
        return message;
    }

    /// <summary>An <c>event</c> message of type <paramref name="eventType"/> with a JSON payload (as Bedrock ConverseStream sends).</summary>
    public static byte[] Event(string eventType, string json)
        => Message([(":event-type", eventType), (":content-type", "application/json"), (":message-type", "event")], Encoding.UTF8.GetBytes(json));

    /// <summary>An <c>exception</c> message with a JSON payload.</summary>
    public static byte[] Exception(string exceptionType, string json)
        => Message([(":exception-type", exceptionType), (":content-type", "application/json"), (":message-type", "exception")], Encoding.UTF8.GetBytes(json));

    public static byte[] Concat(params byte[][] messages) => [.. messages.SelectMany(m => m)];

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}
