using System.Text.Json;
using LlmAdapters;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway;

/// <summary>
/// <c>POST /v1/chat/completions</c> (and <c>/web/v1/chat/completions</c>, which searches the web first): the request's model
/// picks the profile; the answer comes back in OpenAI's shape, whole or as SSE chunks.
/// </summary>
internal sealed class ChatCompletionsEndpoint(
    ModelRoutes routes, UpstreamCalls upstream, GatewayCounters counters, AdapterCalls calls, ProfileClients clients, WebSearch search, GatewayOptions options, ILogger<ChatCompletionsEndpoint> logger)
{
    public Task HandleAsync(HttpContext context) => HandleAsync(context, options.SearchOnAllRequests);

    public Task HandleWithSearchAsync(HttpContext context) => HandleAsync(context, searchFirst: true);

    private async Task HandleAsync(HttpContext context, bool searchFirst)
    {
        var cancellationToken = context.RequestAborted;
        var (request, error) = await ChatCompletionRequest.ReadAsync(context.Request, cancellationToken);
        if (error is not null)
        {
            await RefuseAsync(context, error, error.Code ?? "bad_request");
            return;
        }

        var route = routes.Resolve(request!.Model);
        if (route is null)
        {
            var models = string.Join(", ", routes.List().Select(m => m.Id));
            await RefuseAsync(context, new OpenAiError(404, $"The model '{request.Model}' does not exist. Models: {models}{routes.Hint()}.", "invalid_request_error", "model_not_found", "model"), "unknown_model");
            return;
        }

        if (request.UnsupportedBy(calls.Chat(clients.Profiles[route.Profile].Adapter)) is { } unsupported)
        {
            var what = unsupported == "messages"
                ? "Tool messages (role 'tool', or an assistant message with 'tool_calls') are"
                : $"The parameter '{unsupported}' is";
            var fix = unsupported == "messages" ? "Remove the tool calls and tool results from 'messages'." : $"Remove '{unsupported}'.";
            await RefuseAsync(context, OpenAiError.BadRequest(
                $"{what} not supported by model '{route.ClientModel}': its upstream API (adapter '{clients.Profiles[route.Profile].Adapter}') has no such setting. {fix}",
                unsupported, "unsupported_parameter"), "unsupported_parameter");
            return;
        }

        if (searchFirst)
        {
            if (!search.IsConfigured)
            {
                await RefuseAsync(context, new OpenAiError(404, "Web search is not configured on this gateway (its operator sets Gateway:Search:Url).", "invalid_request_error", "web_search_not_configured"), "web_search_not_configured");
                return;
            }

            try
            {
                var results = await search.SearchAsync(request.LastUserText(), cancellationToken);
                request = request.WithAppendixToLastUserMessage(WebSearch.Format(results));
            }
            catch (WebSearchException e)
            {
                GatewayLog.WebSearchFailed(logger, e.Message);
                await counters.CompletedAsync(route.Profile, null, "web_search");
                await new OpenAiError(502, $"The web search failed, so nothing was asked of the model: {e.Message}", "upstream_error", "web_search_failed").WriteResponseAsync(context);
                return;
            }
        }

        var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (request.Stream)
        {
            await StreamAsync(context, route, request, id, created);
            return;
        }

        var (response, failure) = await upstream.RunAsync(route, request, static (client, llmRequest, token) => client.CallAsync(llmRequest, token), cancellationToken);
        if (failure is not null)
        {
            await counters.CompletedAsync(route.Profile, null, failure.Code ?? failure.Type);
            await failure.WriteResponseAsync(context);
            return;
        }

        await counters.CompletedAsync(route.Profile, response!.Usage, null);
        context.Response.ContentType = "application/json; charset=utf-8";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, GatewayJson.Writer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", id);
            writer.WriteString("object", "chat.completion");
            writer.WriteNumber("created", created);
            writer.WriteString("model", route.ClientModel);
            writer.WriteStartArray("choices");
            writer.WriteStartObject();
            writer.WriteNumber("index", 0);
            writer.WriteStartObject("message");
            writer.WriteString("role", "assistant");
            if (response.ToolCalls.Count > 0 && response.Text.Length == 0)
            {
                writer.WriteNull("content");
            }
            else
            {
                writer.WriteString("content", response.Text);
            }

            if (response.GetString("reasoning") is { Length: > 0 } reasoning)
            {
                writer.WriteString("reasoning_content", reasoning);
            }

            if (response.ToolCalls.Count > 0)
            {
                writer.WriteStartArray("tool_calls");
                foreach (var call in response.ToolCalls)
                {
                    ChunkWriter.WriteToolCall(writer, call, index: null);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
            writer.WriteString("finish_reason", response.ToolCalls.Count > 0 ? "tool_calls" : FinishReason(response.FinishReason));
            writer.WriteEndObject();
            writer.WriteEndArray();
            ChunkWriter.WriteUsage(writer, response.Usage);
            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(cancellationToken);
    }

    private async Task RefuseAsync(HttpContext context, OpenAiError error, string reason)
    {
        await counters.RejectedAsync(reason);
        await error.WriteResponseAsync(context);
    }

    private async Task StreamAsync(HttpContext context, ModelRoute route, ChatCompletionRequest request, string id, long created)
    {
        var cancellationToken = context.RequestAborted;

        // The first update is awaited before any byte is sent, so an upstream that refuses the request gets its status and
        // an OpenAI-format error body (or the next key, or a fallback profile) instead of a 200 stream that breaks.
        var (opened, failure) = await upstream.RunAsync(route, request, static async (client, llmRequest, token) =>
        {
            var enumerator = client.StreamUpdatesAsync(llmRequest, token).GetAsyncEnumerator(token);
            try
            {
                return (Updates: enumerator, More: await enumerator.MoveNextAsync());
            }
            catch
            {
                await enumerator.DisposeAsync();
                throw;
            }
        }, cancellationToken);
        if (failure is not null)
        {
            await counters.CompletedAsync(route.Profile, null, failure.Code ?? failure.Type);
            await failure.WriteResponseAsync(context);
            return;
        }

        await using var updates = opened.Updates;
        var more = opened.More;
        context.Response.ContentType = "text/event-stream; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";   // tell a reverse proxy in front not to buffer the stream
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        using var chunks = new ChunkWriter(context.Response.BodyWriter, id, created, route.ClientModel);
        LlmUsage? usage = null;
        string? finishReason = null;
        var toolCalls = 0;
        var firstText = true;
        chunks.WriteDelta("assistant", "", null);
        try
        {
            while (more)
            {
                var update = updates.Current;
                usage = update.Usage ?? usage;
                finishReason = update.FinishReason ?? finishReason;
                var flush = false;
                if (update.GetString("reasoning") is { Length: > 0 } reasoning)
                {
                    // A reasoning model's thinking (DeepSeek-R1's reasoning_content, Claude's and Gemini's thoughts):
                    // forwarded as DeepSeek's API sends it, never dropped.
                    chunks.WriteReasoning(reasoning);
                    flush = firstText;
                    firstText = false;
                }

                if (update.Text.Length > 0)
                {
                    chunks.WriteContent(update.Text);
                    flush |= firstText;   // the first text goes out at once, even when more follows in the same read
                    firstText = false;
                }

                if (update.ToolCalls.Count > 0)
                {
                    // The library yields each call whole, once, after the last chunk: one delta with every call is valid OpenAI.
                    chunks.WriteToolCalls(update.ToolCalls, toolCalls);
                    toolCalls += update.ToolCalls.Count;
                }

                // Flush only when the next update is not here yet (or much is written): what the upstream sent in one go
                // leaves in one write, as a reverse proxy forwards what it read, while a chunk after which the upstream
                // pauses (a slow model's) goes out at once.
                var next = updates.MoveNextAsync();
                if (flush || !next.IsCompleted || chunks.IsFull)
                {
                    try
                    {
                        await chunks.FlushAsync(cancellationToken);
                    }
                    catch when (!next.IsCompleted)
                    {
                        // The client went away (the request's token, which ends the upstream read too, is cancelled):
                        // let the pending update settle, so the enumerator is never disposed mid-move; the flush's
                        // exception is the one that tells.
                        await SettleAsync(next.AsTask());
                        throw;
                    }
                }

                more = await next;
            }
        }
        catch (LlmException e)
        {
            // Headers are gone: report the failure the way OpenAI does mid-stream, as an error event, and end without [DONE].
            var error = OpenAiError.From(e);
            await counters.CompletedAsync(route.Profile, usage, error.Code ?? error.Type);
            chunks.WriteError(error);
            await chunks.FlushAsync(cancellationToken);
            return;
        }

        await counters.CompletedAsync(route.Profile, usage, null);
        chunks.WriteDelta(null, null, toolCalls > 0 ? "tool_calls" : FinishReason(finishReason));
        if (request.IncludeUsage)
        {
            chunks.WriteUsageChunk(usage);
        }

        chunks.WriteDone();
        await chunks.FlushAsync(cancellationToken);
    }

    private static async Task SettleAsync(Task<bool> pending)
    {
        try
        {
            await pending.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        }
        catch (Exception e) when (e is OperationCanceledException or LlmException or TimeoutException)
        {
            // It follows from the failed flush.
        }
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
