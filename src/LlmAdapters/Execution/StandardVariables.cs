using System.Text.Json;
using LlmAdapters.Internal;

namespace LlmAdapters.Execution;

/// <summary>Fills the standard variables (<c>messages</c>, <c>prompt</c>, <c>system</c>, <c>model</c>, <c>max_tokens</c>, <c>temperature</c>, <c>images</c>, <c>videos</c>) from a request.</summary>
internal static class StandardVariables
{
    public static Dictionary<string, JsonElement> From(LlmRequest request)
    {
        var vars = new Dictionary<string, JsonElement>(12, StringComparer.Ordinal);
        var system = request.System;
        if (system is null)
        {
            foreach (var m in request.Messages)
            {
                if (m.Role == "system")
                {
                    system = m.Content;
                    break;
                }
            }
        }

        if (request.Messages.Count > 0 || request.Prompt is not null)
        {
            vars["messages"] = JsonValues.Write(request, static (w, r) =>
            {
                w.WriteStartArray();
                if (r.System is not null && (r.Messages.Count == 0 || r.Messages[0].Role != "system"))
                {
                    JsonValues.WriteMessage(w, LlmMessage.System(r.System));
                }

                // LlmRequest.Images belong to the last user message (the question about them).
                var lastUser = -1;
                for (var i = r.Messages.Count - 1; i >= 0; i--)
                {
                    if (r.Messages[i].Role == "user")
                    {
                        lastUser = i;
                        break;
                    }
                }

                for (var i = 0; i < r.Messages.Count; i++)
                {
                    JsonValues.WriteMessage(w, r.Messages[i], i == lastUser ? r.Images : null);
                }

                if (r.Messages.Count == 0)
                {
                    // A prompt alone is a one-turn chat, so chat adapters work with LlmRequest { Prompt = ... }.
                    JsonValues.WriteMessage(w, LlmMessage.User(r.Prompt!), r.Images);
                }

                w.WriteEndArray();
            });
        }

        var prompt = request.Prompt;
        if (prompt is null)
        {
            for (var i = request.Messages.Count - 1; i >= 0; i--)
            {
                if (request.Messages[i].Role == "user")
                {
                    prompt = request.Messages[i].Content;
                    break;
                }
            }
        }

        if (prompt is not null)
        {
            vars["prompt"] = JsonValues.String(prompt);
        }

        if (system is not null)
        {
            vars["system"] = JsonValues.String(system);
        }

        if (request.Model is not null)
        {
            vars["model"] = JsonValues.String(request.Model);
        }

        if (request.MaxTokens is { } maxTokens)
        {
            vars["max_tokens"] = JsonValues.Number(maxTokens);
        }

        if (request.Temperature is { } temperature)
        {
            vars["temperature"] = JsonValues.Number(temperature);
        }

        var images = AllImages(request);
        if (images.Count > 0)
        {
            vars["images"] = Media(images);
        }

        if (request.Videos.Count > 0)
        {
            vars["videos"] = Media(request.Videos);
        }

        return vars;
    }

    /// <summary>Every image of the request: those of its messages, then <see cref="LlmRequest.Images"/>.</summary>
    public static IReadOnlyList<LlmMedia> AllImages(LlmRequest request)
    {
        var any = false;
        foreach (var m in request.Messages)
        {
            any |= m.Images.Count > 0;
        }

        return any ? [.. request.Messages.SelectMany(m => m.Images), .. request.Images] : request.Images;
    }

    public static Dictionary<string, JsonElement>? FromUser(IReadOnlyDictionary<string, object?> variables)
    {
        if (variables.Count == 0)
        {
            return null;
        }

        var result = new Dictionary<string, JsonElement>(variables.Count, StringComparer.Ordinal);
        foreach (var (name, value) in variables)
        {
            result[name] = JsonValues.FromObject(value, name);
        }

        return result;
    }

    private static JsonElement Media(IReadOnlyList<LlmMedia> media) => JsonValues.Write(media, static (w, items) =>
    {
        w.WriteStartArray();
        foreach (var item in items)
        {
            JsonValues.WriteMedia(w, item);
        }

        w.WriteEndArray();
    });
}
