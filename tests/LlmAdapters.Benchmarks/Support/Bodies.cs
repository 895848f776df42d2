using System.Globalization;
using System.Text;

namespace LlmAdapters.Benchmarks.Support;

/// <summary>Deterministic stream bodies in the shapes vendors send, with Chinese text, emoji, quotes and newlines in the content.</summary>
public static class Bodies
{
    // Fragments a chat answer is made of: CJK (3 bytes a character in UTF-8), emoji (4 bytes, surrogate pairs in UTF-16),
    // a flag and a skin-tone sequence, ASCII, and characters JSON must escape (quote, backslash, newline).
    private static readonly string[] Fragments =
    [
        "你好", "，", "世界", "！", "😀", "👍🏽", " emoji ", "中文与English混排", "🇨🇳", "\"quoted\"", "\n", " the ", "流式输出",
        "模型", " tokens", "🙂", "。", "数据", "back\\slash", "性能测试", " and ", "适配器", "🚀", "：", "答案是 42", " streaming ",
    ];

    /// <summary>The text pieces of a stream: each about <paramref name="targetBytes"/> bytes of UTF-8.</summary>
    public static string[] Pieces(int count, int targetBytes = 12, int seed = 20250101)
    {
        var random = new Random(seed);
        var pieces = new string[count];
        var sb = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            sb.Clear();
            var bytes = 0;
            while (bytes < targetBytes)
            {
                var fragment = Fragments[random.Next(Fragments.Length)];
                sb.Append(fragment);
                bytes += Encoding.UTF8.GetByteCount(fragment);
            }

            pieces[i] = sb.ToString();
        }

        return pieces;
    }

    /// <summary>A JSON string literal as vendors write it: UTF-8 as is, only quote, backslash and control characters escaped.</summary>
    public static string Json(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>
    /// OpenAI Chat Completions streaming: a first chunk with the role and empty content, one chunk per piece (about 250
    /// bytes each with the default pieces of about 12 bytes), a finish chunk, a usage chunk with empty choices, and <c>data: [DONE]</c>.
    /// </summary>
    public static string OpenAiSse(IReadOnlyList<string> pieces) => string.Concat(OpenAiSseEvents(pieces));

    /// <summary>The events of <see cref="OpenAiSse"/>, one string each (ending with the blank line), for servers that write them one by one.</summary>
    public static List<string> OpenAiSseEvents(IReadOnlyList<string> pieces)
    {
        const string Head = "data: {\"id\":\"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\",\"object\":\"chat.completion.chunk\",\"created\":1732233600,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_44709d6fcb\",\"choices\":[{\"index\":0,\"delta\":";
        var events = new List<string>(pieces.Count + 4)
        {
            Head + "{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n",
        };
        foreach (var piece in pieces)
        {
            events.Add(Head + "{\"content\":" + Json(piece) + "},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");
        }

        events.Add(Head + "{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}\n\n");
        events.Add("data: {\"id\":\"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\",\"object\":\"chat.completion.chunk\",\"created\":1732233600,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_44709d6fcb\",\"choices\":[],\"usage\":{\"prompt_tokens\":19,\"completion_tokens\":" + pieces.Count.ToString(CultureInfo.InvariantCulture) + ",\"total_tokens\":" + (pieces.Count + 19).ToString(CultureInfo.InvariantCulture) + "}}\n\n");
        events.Add("data: [DONE]\n\n");
        return events;
    }

    /// <summary>Ollama /api/chat: one JSON object per line, the last with <c>"done":true</c> and the counters.</summary>
    public static string OllamaNdjson(IReadOnlyList<string> pieces) => string.Concat(OllamaNdjsonEvents(pieces));

    /// <summary>The lines of <see cref="OllamaNdjson"/>, one string each, for servers that write them one by one.</summary>
    public static List<string> OllamaNdjsonEvents(IReadOnlyList<string> pieces)
    {
        var events = new List<string>(pieces.Count + 1);
        foreach (var piece in pieces)
        {
            events.Add("{\"model\":\"qwen2.5:7b\",\"created_at\":\"2025-01-01T00:00:00.000000Z\",\"message\":{\"role\":\"assistant\",\"content\":" + Json(piece) + "},\"done\":false}\n");
        }

        var sb = new StringBuilder();
        events.Add(sb.Append("{\"model\":\"qwen2.5:7b\",\"created_at\":\"2025-01-01T00:00:01.000000Z\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done_reason\":\"stop\",\"done\":true,\"total_duration\":1000000,\"prompt_eval_count\":19,\"eval_count\":")
            .Append(pieces.Count.ToString(CultureInfo.InvariantCulture)).Append("}\n").ToString());
        return events;
    }

    /// <summary>Anthropic Messages streaming: <c>event:</c> lines; message_start, content_block_start, pings, one content_block_delta per piece, then content_block_stop, message_delta, message_stop.</summary>
    public static string AnthropicSse(IReadOnlyList<string> pieces) => string.Concat(AnthropicSseEvents(pieces));

    /// <summary>The events of <see cref="AnthropicSse"/>, one string each (ending with the blank line).</summary>
    public static List<string> AnthropicSseEvents(IReadOnlyList<string> pieces)
    {
        var events = new List<string>(pieces.Count + 6);
        events.Add("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01XFDUDYJgAACzvnptvVoYEL\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-20250514\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n");
        events.Add("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
        events.Add("event: ping\ndata: {\"type\": \"ping\"}\n\n");
        foreach (var piece in pieces)
        {
            events.Add("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":" + Json(piece) + "}}\n\n");
        }

        events.Add("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
        var sb = new StringBuilder();
        events.Add(sb.Append("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":")
            .Append(pieces.Count.ToString(CultureInfo.InvariantCulture)).Append("}}\n\n").ToString());
        events.Add("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        return events;
    }

    /// <summary>DashScope (Qwen) incremental_output=false: every event repeats all the text so far.</summary>
    public static string CumulativeSse(IReadOnlyList<string> pieces)
    {
        var sb = new StringBuilder();
        var soFar = new StringBuilder();
        for (var i = 0; i < pieces.Count; i++)
        {
            soFar.Append(pieces[i]);
            sb.Append("id:").Append((i + 1).ToString(CultureInfo.InvariantCulture)).Append("\nevent:result\n:HTTP_STATUS/200\ndata:{\"output\":{\"finish_reason\":\"null\",\"text\":")
                .Append(Json(soFar.ToString())).Append("},\"usage\":{\"total_tokens\":").Append((i + 20).ToString(CultureInfo.InvariantCulture))
                .Append(",\"output_tokens\":").Append((i + 1).ToString(CultureInfo.InvariantCulture)).Append(",\"input_tokens\":19},\"request_id\":\"1f2c3d4e-bench\"}\n\n");
        }

        return sb.ToString();
    }

    /// <summary>
    /// Gemini streamGenerateContent with alt=sse: one event per piece in the shape of the Gemini API reference (as in the
    /// conformance fixture gemini/stream-with-thoughts), the last with finishReason STOP and the token counts.
    /// </summary>
    public static List<string> GeminiSseEvents(IReadOnlyList<string> pieces)
    {
        const string Usage = "\"usageMetadata\":{\"promptTokenCount\":12,\"totalTokenCount\":12,\"promptTokensDetails\":[{\"modality\":\"TEXT\",\"tokenCount\":12}]},\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"resp-gem-1\"}\n\n";
        var events = new List<string>(pieces.Count + 1);
        foreach (var piece in pieces)
        {
            events.Add("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":" + Json(piece) + "}],\"role\":\"model\"},\"index\":0}]," + Usage);
        }

        events.Add("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\"}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":12,\"candidatesTokenCount\":"
            + pieces.Count.ToString(CultureInfo.InvariantCulture) + ",\"totalTokenCount\":" + (pieces.Count + 12).ToString(CultureInfo.InvariantCulture) + "},\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"resp-gem-1\"}\n\n");
        return events;
    }

    /// <summary>
    /// Gemini's streamGenerateContent without alt=sse: the same GenerateContentResponse objects as
    /// <see cref="GeminiSseEvents"/>, as one JSON array written an element at a time ("[" before the first, ",\r\n" before
    /// each next, "]" at the end), which google-cloud-python's REST stream reader (ResponseIterator) reads element by
    /// element. Every element is an event of its own on loopback.
    /// </summary>
    public static List<string> GeminiJsonArrayEvents(IReadOnlyList<string> pieces)
    {
        var sse = GeminiSseEvents(pieces);
        var events = new List<string>(sse.Count + 1);
        for (var i = 0; i < sse.Count; i++)
        {
            events.Add((i == 0 ? "[" : ",\r\n") + sse[i]["data: ".Length..^"\n\n".Length]);
        }

        events.Add("]");
        return events;
    }

    /// <summary>
    /// DashScope native text generation with result_format "message", as SSE (id/event/:HTTP_STATUS/data lines, as in the
    /// conformance fixture dashscope/incremental-stream): incremental_output true sends each piece, false repeats all the text so far.
    /// </summary>
    public static List<string> DashScopeSseEvents(IReadOnlyList<string> pieces, bool cumulative)
    {
        var events = new List<string>(pieces.Count);
        var soFar = new StringBuilder();
        for (var i = 0; i < pieces.Count; i++)
        {
            soFar.Append(pieces[i]);
            var last = i == pieces.Count - 1;
            events.Add("id:" + (i + 1).ToString(CultureInfo.InvariantCulture) + "\nevent:result\n:HTTP_STATUS/200\ndata:{\"output\":{\"choices\":[{\"message\":{\"content\":"
                + Json(cumulative ? soFar.ToString() : pieces[i]) + ",\"role\":\"assistant\"},\"finish_reason\":\"" + (last ? "stop" : "null") + "\"}]},\"usage\":{\"total_tokens\":"
                + (i + 20).ToString(CultureInfo.InvariantCulture) + ",\"output_tokens\":" + (i + 1).ToString(CultureInfo.InvariantCulture) + ",\"input_tokens\":19},\"request_id\":\"5bd1d3a1-bench\"}\n\n");
        }

        return events;
    }

    /// <summary>
    /// Amazon Bedrock ConverseStream: AWS event-stream messages (prelude, string headers, JSON payload, CRC-32s) in the event
    /// shapes of botocore's bedrock-runtime service model (as the conformance fixtures bedrock/*): messageStart, one
    /// contentBlockDelta per piece, contentBlockStop, messageStop and metadata with the usage.
    /// </summary>
    public static List<byte[]> BedrockEventStream(IReadOnlyList<string> pieces)
    {
        var events = new List<byte[]>(pieces.Count + 4) { EventMessage("messageStart", "{\"role\":\"assistant\"}") };
        foreach (var piece in pieces)
        {
            events.Add(EventMessage("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":" + Json(piece) + "}}"));
        }

        events.Add(EventMessage("contentBlockStop", "{\"contentBlockIndex\":0}"));
        events.Add(EventMessage("messageStop", "{\"stopReason\":\"end_turn\"}"));
        events.Add(EventMessage("metadata", "{\"usage\":{\"inputTokens\":19,\"outputTokens\":" + pieces.Count.ToString(CultureInfo.InvariantCulture) + ",\"totalTokens\":" + (pieces.Count + 19).ToString(CultureInfo.InvariantCulture) + "},\"metrics\":{\"latencyMs\":321}}"));
        return events;
    }

    private static byte[] EventMessage(string eventType, string json)
    {
        var head = new System.IO.MemoryStream();
        foreach (var (name, value) in new[] { (":event-type", eventType), (":content-type", "application/json"), (":message-type", "event") })
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

        var headers = head.ToArray();
        var payload = Encoding.UTF8.GetBytes(json);
        var total = 16 + headers.Length + payload.Length;
        var message = new byte[total];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(message, (uint)total);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), (uint)headers.Length);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), HandWritten.Crc32(message.AsSpan(0, 8)));
        headers.CopyTo(message, 12);
        payload.CopyTo(message, 12 + headers.Length);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(total - 4), HandWritten.Crc32(message.AsSpan(0, total - 4)));
        return message;
    }

    /// <summary>A non-streaming OpenAI chat completion carrying <paramref name="text"/>.</summary>
    public static string OpenAiCompletion(string text)
        => "{\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":\"chat.completion\",\"created\":1732233600,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
           + Json(text) + ",\"refusal\":null,\"annotations\":[]},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":19,\"completion_tokens\":10,\"total_tokens\":29},\"service_tier\":\"default\",\"system_fingerprint\":\"fp_44709d6fcb\"}";
}
