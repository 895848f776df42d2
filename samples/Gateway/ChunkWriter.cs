using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using LlmAdapters;

namespace Gateway;

/// <summary>Writes OpenAI <c>chat.completion.chunk</c> events (<c>data: {...}\n\n</c>) to the response, flushing each.</summary>
internal sealed class ChunkWriter(PipeWriter pipe, string id, long created, string model)
{
    public async Task WriteDeltaAsync(string? role, string? content, string? finishReason, CancellationToken cancellationToken)
    {
        await WriteEventAsync(writer =>
        {
            WriteChunkStart(writer);
            writer.WriteStartArray("choices");
            writer.WriteStartObject();
            writer.WriteNumber("index", 0);
            writer.WriteStartObject("delta");
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
        }, cancellationToken);
    }

    /// <summary>A chunk whose delta has whole tool calls: <c>tool_calls: [{"index", "id", "type": "function", "function": {"name", "arguments"}}]</c>, indexes from <paramref name="firstIndex"/>.</summary>
    public async Task WriteToolCallsAsync(IReadOnlyList<LlmToolCall> calls, int firstIndex, CancellationToken cancellationToken)
    {
        await WriteEventAsync(writer =>
        {
            WriteChunkStart(writer);
            writer.WriteStartArray("choices");
            writer.WriteStartObject();
            writer.WriteNumber("index", 0);
            writer.WriteStartObject("delta");
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
        }, cancellationToken);
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
    public async Task WriteUsageChunkAsync(LlmUsage? usage, CancellationToken cancellationToken)
    {
        await WriteEventAsync(writer =>
        {
            WriteChunkStart(writer);
            writer.WriteStartArray("choices");
            writer.WriteEndArray();
            WriteUsage(writer, usage ?? new LlmUsage(0, 0, 0));
            writer.WriteEndObject();
        }, cancellationToken);
    }

    public Task WriteErrorAsync(OpenAiError error, CancellationToken cancellationToken) => WriteEventAsync(error.WriteTo, cancellationToken);

    public async Task WriteDoneAsync(CancellationToken cancellationToken)
    {
        pipe.Write("data: [DONE]\n\n"u8);
        await pipe.FlushAsync(cancellationToken);
    }

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

    private void WriteChunkStart(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("id", id);
        writer.WriteString("object", "chat.completion.chunk");
        writer.WriteNumber("created", created);
        writer.WriteString("model", model);
    }

    private async Task WriteEventAsync(Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        pipe.Write("data: "u8);
        using (var writer = new Utf8JsonWriter(pipe, GatewayJson.Writer))
        {
            write(writer);
        }

        pipe.Write("\n\n"u8);
        await pipe.FlushAsync(cancellationToken);
    }
}
