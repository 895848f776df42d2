using System.Text;
using System.Text.Json;
using LlmAdapters;

namespace Gateway;

/// <summary>The parts of an OpenAI chat completion request the gateway uses.</summary>
internal sealed record ChatCompletionRequest(string Model, IReadOnlyList<LlmMessage> Messages, int? MaxTokens, double? Temperature, bool Stream, bool IncludeUsage)
{
    /// <summary>Reads the request body; a body that does not fit gives an OpenAI-format 400.</summary>
    public static async Task<(ChatCompletionRequest? Request, OpenAiError? Error)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException e)
        {
            return (null, OpenAiError.BadRequest($"The request body is not valid JSON: {e.Message}"));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, OpenAiError.BadRequest("The request body must be a JSON object."));
            }

            if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(model.GetString()))
            {
                return (null, OpenAiError.BadRequest("You must provide a model parameter: one of the ids GET /v1/models lists.", "model"));
            }

            if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
            {
                return (null, OpenAiError.BadRequest("'messages' must be a non-empty array of {\"role\", \"content\"}.", "messages"));
            }

            var list = new List<LlmMessage>();
            foreach (var message in messages.EnumerateArray())
            {
                if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
                {
                    return (null, OpenAiError.BadRequest("Each message needs a string 'role'.", "messages"));
                }

                var (text, images) = Content(message.TryGetProperty("content", out var content) ? content : default);
                var roleName = role.GetString() == "developer" ? "system" : role.GetString()!;
                list.Add(new LlmMessage(roleName, text) { Images = images });
            }

            int? maxTokens = Number(root, "max_completion_tokens") ?? Number(root, "max_tokens");
            double? temperature = root.TryGetProperty("temperature", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetDouble() : null;
            var stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
            var includeUsage = root.TryGetProperty("stream_options", out var options) && options.ValueKind == JsonValueKind.Object
                && options.TryGetProperty("include_usage", out var usage) && usage.ValueKind == JsonValueKind.True;
            return (new ChatCompletionRequest(model.GetString()!, list, maxTokens, temperature, stream, includeUsage), null);
        }
    }

    public LlmRequest ToLlmRequest() => new() { Messages = Messages, MaxTokens = MaxTokens, Temperature = Temperature };

    private static int? Number(JsonElement root, string name)
        => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n : null;

    /// <summary>A message's content: a string, or content parts (text parts joined; image_url parts as images).</summary>
    private static (string Text, IReadOnlyList<LlmMedia> Images) Content(JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            return (content.GetString()!, []);
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return ("", []);
        }

        var text = new StringBuilder();
        var images = new List<LlmMedia>();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            if (part.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
            {
                text.Append(t.GetString());
            }
            else if (part.TryGetProperty("image_url", out var image) && image.ValueKind == JsonValueKind.Object
                && image.TryGetProperty("url", out var url) && url.ValueKind == JsonValueKind.String
                && Uri.TryCreate(url.GetString(), UriKind.Absolute, out var uri))
            {
                images.Add(LlmMedia.FromUrl(uri));
            }
        }

        return (text.ToString(), images);
    }
}
