using System.Text.Json;
using LlmAdapters;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway;

/// <summary><c>POST /v1/chat/completions</c>: the request's model picks the profile; the answer comes back in OpenAI's shape, whole or as SSE chunks.</summary>
internal static class ChatCompletionsEndpoint
{
    public static async Task HandleAsync(HttpContext context, ProfileClients clients)
    {
        var cancellationToken = context.RequestAborted;
        var (request, error) = await ChatCompletionRequest.ReadAsync(context.Request, cancellationToken);
        if (error is not null)
        {
            await error.WriteResponseAsync(context);
            return;
        }

        var profile = clients.Find(request!.Model);
        if (profile is null)
        {
            await new OpenAiError(404, $"The model '{request.Model}' does not exist. Models: {string.Join(", ", clients.Profiles.Keys)}.", "invalid_request_error", "model_not_found", "model")
                .WriteResponseAsync(context);
            return;
        }

        var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        ILlmClient client;
        try
        {
            client = clients.Get(profile);
        }
        catch (LlmException e)
        {
            await OpenAiError.From(e).WriteResponseAsync(context);
            return;
        }

        if (request.Stream)
        {
            await StreamAsync(context, client, request, new ChunkWriter(context.Response.BodyWriter, id, created, profile));
            return;
        }

        LlmResponse response;
        try
        {
            response = await client.CallAsync(request.ToLlmRequest(), cancellationToken);
        }
        catch (LlmException e)
        {
            await OpenAiError.From(e).WriteResponseAsync(context);
            return;
        }

        context.Response.ContentType = "application/json";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            writer.WriteStartObject();
            writer.WriteString("id", id);
            writer.WriteString("object", "chat.completion");
            writer.WriteNumber("created", created);
            writer.WriteString("model", profile);
            writer.WriteStartArray("choices");
            writer.WriteStartObject();
            writer.WriteNumber("index", 0);
            writer.WriteStartObject("message");
            writer.WriteString("role", "assistant");
            writer.WriteString("content", response.Text);
            writer.WriteEndObject();
            writer.WriteString("finish_reason", FinishReason(response.FinishReason));
            writer.WriteEndObject();
            writer.WriteEndArray();
            ChunkWriter.WriteUsage(writer, response.Usage);
            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(cancellationToken);
    }

    private static async Task StreamAsync(HttpContext context, ILlmClient client, ChatCompletionRequest request, ChunkWriter chunks)
    {
        var cancellationToken = context.RequestAborted;
        await using var updates = client.StreamUpdatesAsync(request.ToLlmRequest(), cancellationToken).GetAsyncEnumerator(cancellationToken);
        bool more;
        try
        {
            // The first update is awaited before any byte is sent, so an upstream that refuses the request (401, 429, ...)
            // gets its status and an OpenAI-format error body instead of a 200 stream that breaks.
            more = await updates.MoveNextAsync();
        }
        catch (LlmException e)
        {
            await OpenAiError.From(e).WriteResponseAsync(context);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";   // tell a reverse proxy in front not to buffer the stream
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        LlmUsage? usage = null;
        string? finishReason = null;
        await chunks.WriteDeltaAsync("assistant", "", null, cancellationToken);
        try
        {
            while (more)
            {
                var update = updates.Current;
                usage = update.Usage ?? usage;
                finishReason = update.FinishReason ?? finishReason;
                if (update.Text.Length > 0)
                {
                    await chunks.WriteDeltaAsync(null, update.Text, null, cancellationToken);
                }

                more = await updates.MoveNextAsync();
            }
        }
        catch (LlmException e)
        {
            // Headers are gone: report the failure the way OpenAI does mid-stream, as an error event, and end without [DONE].
            await chunks.WriteErrorAsync(OpenAiError.From(e), cancellationToken);
            return;
        }

        await chunks.WriteDeltaAsync(null, null, FinishReason(finishReason), cancellationToken);
        if (request.IncludeUsage)
        {
            await chunks.WriteUsageChunkAsync(usage, cancellationToken);
        }

        await chunks.WriteDoneAsync(cancellationToken);
    }

    /// <summary>The vendor's finish reason in OpenAI's words (clients such as the OpenAI SDK accept no others).</summary>
    private static string FinishReason(string? vendor) => vendor?.ToUpperInvariant() switch
    {
        "LENGTH" or "MAX_TOKENS" or "MAX_OUTPUT_TOKENS" => "length",
        "TOOL_CALLS" or "TOOL_USE" or "FUNCTION_CALL" => "tool_calls",
        "CONTENT_FILTER" or "SAFETY" or "SENSITIVE" => "content_filter",
        _ => "stop",
    };
}
