using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using LlmAdapters;

namespace Gateway;

/// <summary>
/// Writes OpenAI <c>chat.completion.chunk</c> events (<c>data: {...}\n\n</c>) for the response, without sending them:
/// the caller flushes (<see cref="FlushAsync"/>) when no further event is ready at once, or when <see cref="IsFull"/>.
/// </summary>
/// <remarks>
/// Events gather in a buffer of this writer's own and go to the response's pipe in one write per flush: Kestrel's response
/// writer takes a lock on every <c>GetMemory</c> and <c>Advance</c>, which per event showed in the profile. One
/// <see cref="Utf8JsonWriter"/> serves every event. A content delta, the event a stream is made of, is a fixed head (id,
/// object, created, model, choices[0].delta's <c>"content":</c>, written once by the JSON writer), the text as a JSON
/// string (<see cref="GatewayJson.WriteStringValue"/>: UTF-8 as is, only what JSON must escape escaped), and a fixed
/// tail: per chunk only the text is encoded, straight into the buffer.
/// </remarks>
internal sealed class ChunkWriter : IDisposable
{
    /// <summary>Unflushed bytes past which the caller flushes even though more events are ready (a fast upstream's burst is not buffered whole).</summary>
    public const int FlushThreshold = 16 * 1024;

    private static readonly byte[] ContentTail = "},\"finish_reason\":null}]}\n\n"u8.ToArray();

    private readonly PipeWriter _pipe;
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly string _id;
    private readonly long _created;
    private readonly string _model;
    private readonly byte[] _contentHead;
    private readonly byte[] _reasoningHead;
    private readonly Utf8JsonWriter _json;

    public ChunkWriter(PipeWriter pipe, string id, long created, string model)
    {
        _pipe = pipe;
        _id = id;
        _created = created;
        _model = model;
        _contentHead = DeltaHead("content");
        _reasoningHead = DeltaHead("reasoning_content");
        _json = new Utf8JsonWriter(_buffer, GatewayJson.Writer);
    }

    /// <summary>True when enough is written since the last flush that the caller should flush now.</summary>
    public bool IsFull => _buffer.WrittenCount >= FlushThreshold;

    /// <summary>A chunk whose delta has only <c>content</c>: the stream's text, one piece.</summary>
    /// <exception cref="ArgumentException"><paramref name="content"/> is not valid UTF-16 (never from the library, which fails a stream whose text is not).</exception>
    public void WriteContent(string content) => WriteDeltaText(_contentHead, content);

    /// <summary>
    /// A chunk whose delta has only <c>reasoning_content</c>: a piece of the model's reasoning, as DeepSeek's API and the
    /// OpenAI-compatible hosts that serve reasoning models send it.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="reasoning"/> is not valid UTF-16.</exception>
    public void WriteReasoning(string reasoning) => WriteDeltaText(_reasoningHead, reasoning);

    private void WriteDeltaText(byte[] head, string text)
    {
        var span = _buffer.GetSpan(checked(head.Length + GatewayJson.MaxStringValueBytes(text.Length) + ContentTail.Length));
        head.CopyTo(span);
        var at = head.Length;
        at += GatewayJson.WriteStringValue(text, span[at..]);
        ContentTail.CopyTo(span[at..]);
        _buffer.Advance(at + ContentTail.Length);
    }

    /// <summary><c>data: </c> and a delta chunk up to its one property's name: the fixed part of every such event.</summary>
    private byte[] DeltaHead(string property)
    {
        var head = new ArrayBufferWriter<byte>(256);
        head.Write("data: "u8);
        using (var writer = new Utf8JsonWriter(head, GatewayJson.Writer))
        {
            WriteDeltaStart(writer);
            writer.WritePropertyName(property);
        }

        return head.WrittenSpan.ToArray();
    }

    /// <summary>A chunk with a role and/or content in its delta, and a finish reason (null: <c>"finish_reason": null</c>).</summary>
    public void WriteDelta(string? role, string? content, string? finishReason)
    {
        var writer = BeginEvent();
        WriteDeltaStart(writer);
        if (role is not null)
        {
            writer.WriteString("role", role);
        }

        if (content is not null)
        {
            writer.WriteString("content", content);
        }

        writer.WriteEndObject();
        writer.WriteString("finish_reason", finishReason);
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
        EndEvent();
    }

    /// <summary>A chunk whose delta has whole tool calls: <c>tool_calls: [{"index", "id", "type": "function", "function": {"name", "arguments"}}]</c>, indexes from <paramref name="firstIndex"/>.</summary>
    public void WriteToolCalls(IReadOnlyList<LlmToolCall> calls, int firstIndex)
    {
        var writer = BeginEvent();
        WriteDeltaStart(writer);
        writer.WriteStartArray("tool_calls");
        for (var i = 0; i < calls.Count; i++)
        {
            WriteToolCall(writer, calls[i], firstIndex + i);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteNull("finish_reason");
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
        EndEvent();
    }

    /// <summary>One tool call in OpenAI's shape (with its <c>index</c> in a stream's delta).</summary>
    public static void WriteToolCall(Utf8JsonWriter writer, LlmToolCall call, int? index)
    {
        writer.WriteStartObject();
        if (index is { } i)
        {
            writer.WriteNumber("index", i);
        }

        writer.WriteString("id", call.Id);
        writer.WriteString("type", "function");
        writer.WriteStartObject("function");
        writer.WriteString("name", call.Name);
        writer.WriteString("arguments", call.Arguments);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>The last chunk of a stream with <c>stream_options.include_usage</c>: no choices, the usage.</summary>
    public void WriteUsageChunk(LlmUsage? usage)
    {
        var writer = BeginEvent();
        WriteChunkStart(writer);
        writer.WriteStartArray("choices");
        writer.WriteEndArray();
        WriteUsage(writer, usage ?? new LlmUsage(0, 0, 0));
        writer.WriteEndObject();
        EndEvent();
    }

    /// <summary>An OpenAI error event: how a failure after the headers reaches the client.</summary>
    public void WriteError(OpenAiError error)
    {
        error.WriteTo(BeginEvent());
        EndEvent();
    }

    public void WriteDone()
    {
        _buffer.Write("data: [DONE]\n\n"u8);
    }

    /// <summary>Sends what was written.</summary>
    public ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken)
    {
        _pipe.Write(_buffer.WrittenSpan);
        _buffer.ResetWrittenCount();
        return _pipe.FlushAsync(cancellationToken);
    }

    public void Dispose() => _json.Dispose();

    /// <summary>OpenAI's usage object; nothing when the vendor gave no usage.</summary>
    public static void WriteUsage(Utf8JsonWriter writer, LlmUsage? usage)
    {
        if (usage is null)
        {
            return;
        }

        var input = usage.InputTokens ?? 0;
        var output = usage.OutputTokens ?? 0;
        writer.WriteStartObject("usage");
        writer.WriteNumber("prompt_tokens", input);
        writer.WriteNumber("completion_tokens", output);
        writer.WriteNumber("total_tokens", usage.TotalTokens ?? input + output);
        writer.WriteEndObject();
    }

    /// <summary>A chunk's start up to its first choice's open <c>delta</c> object.</summary>
    private void WriteDeltaStart(Utf8JsonWriter writer)
    {
        WriteChunkStart(writer);
        writer.WriteStartArray("choices");
        writer.WriteStartObject();
        writer.WriteNumber("index", 0);
        writer.WriteStartObject("delta");
    }

    private void WriteChunkStart(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("id", _id);
        writer.WriteString("object", "chat.completion.chunk");
        writer.WriteNumber("created", _created);
        writer.WriteString("model", _model);
    }

    private Utf8JsonWriter BeginEvent()
    {
        _buffer.Write("data: "u8);
        _json.Reset();
        return _json;
    }

    private void EndEvent()
    {
        _json.Flush();
        _buffer.Write("\n\n"u8);
    }
}
