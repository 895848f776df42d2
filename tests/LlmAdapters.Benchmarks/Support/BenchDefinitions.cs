namespace LlmAdapters.Benchmarks.Support;

/// <summary>The inline definitions of the formats that have no shipped adapter yet, written as a user would for each vendor.</summary>
public static class BenchDefinitions
{
    /// <summary>
    /// The shipped gemini adapter as a user would define Gemini's stream without alt=sse: named gemini-array, its chat
    /// call's stream_format json-array and no alt parameter, everything else (the resp items, their converters) the same.
    /// </summary>
    public static string GeminiJsonArray()
    {
        var definition = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.AdaptersDirectory, "gemini.json")))!.AsObject();
        definition["name"] = "gemini-array";
        var chat = definition["chat"]!.AsObject();
        chat["stream_format"] = "json-array";
        chat.Remove("params");
        chat["description"] = "streamGenerateContent without alt=sse: one JSON array of GenerateContentResponse objects.";
        return definition.ToJsonString();
    }

    /// <summary>Ollama /api/chat (NDJSON, the default "lines" format), Anthropic Messages (SSE with event: lines) and DashScope (cumulative SSE).</summary>
    public const string Bench = """
        {
          "name": "bench",
          "ollama": {
            "path": "/api/chat", "apitype": "stream",
            "data": [
              { "name": "model", "value": "${model}" },
              { "name": "messages", "value": "${messages}" },
              { "name": "stream", "value": true }
            ],
            "resp": [
              { "name": "content", "value": "message.content" },
              { "name": "done", "value": "done" },
              { "name": "output_tokens", "value": "eval_count" }
            ],
            "error": "error"
          },
          "anthropic": {
            "path": "/v1/messages", "apitype": "stream", "stream_format": "sse",
            "headers": [
              { "name": "x-api-key", "value": "${apikey}" },
              { "name": "anthropic-version", "value": "2023-06-01" }
            ],
            "data": [
              { "name": "model", "value": "${model}" },
              { "name": "messages", "value": "${messages}" },
              { "name": "max_tokens", "value": "${max_tokens:-1024}" },
              { "name": "stream", "value": true }
            ],
            "resp": [
              { "name": "content", "value": "delta.text" },
              { "name": "finish_reason", "value": "delta.stop_reason" },
              { "name": "output_tokens", "value": "usage.output_tokens" }
            ],
            "error": { "message": "error.message", "code": "error.type" }
          },
          "cumulative": {
            "path": "/services/aigc/text-generation/generation", "apitype": "stream", "stream_format": "sse", "stream_mode": "cumulative",
            "headers": [
              { "name": "Authorization", "value": "Bearer ${apikey}" },
              { "name": "X-DashScope-SSE", "value": "enable" }
            ],
            "data": [
              { "name": "model", "value": "${model}" },
              { "name": "input", "value": { "messages": "${messages}" } },
              { "name": "parameters", "value": { "incremental_output": false } }
            ],
            "resp": [
              { "name": "content", "value": "output.text" },
              { "name": "finish_reason", "value": "output.finish_reason" },
              { "name": "usage", "value": "usage" }
            ]
          }
        }
        """;

    /// <summary>A conversation of <paramref name="count"/> messages: a system prompt, then users and assistants in turn, with Chinese and emoji.</summary>
    public static List<LlmMessage> Conversation(int count)
    {
        var messages = new List<LlmMessage>(count) { LlmMessage.System("You are a helpful assistant. 请用中文回答。") };
        for (var i = 1; i < count; i++)
        {
            messages.Add(i % 2 == 1
                ? LlmMessage.User($"Question {i}: 请解释一下流式输出的原理 🙂, and say \"why\" in one line.")
                : LlmMessage.Assistant($"Answer {i}: 流式输出把回答切成小块逐个发送 🚀；each chunk is a small JSON event.\nThat is all."));
        }

        return messages;
    }
}
