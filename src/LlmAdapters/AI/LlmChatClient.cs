using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using LlmAdapters.Execution;
using LlmAdapters.Internal;
using Microsoft.Extensions.AI;

namespace LlmAdapters.AI;

/// <summary>The <see cref="IChatClient"/> over an <see cref="ILlmClient"/> (see <see cref="LlmChatClientExtensions.AsIChatClient"/>).</summary>
internal sealed class LlmChatClient(ILlmClient client, string call) : IChatClient
{
    private static readonly byte[] TokenPrefix = "llm-adapters:queryid:"u8.ToArray();

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var request = ToRequest(messages, options);
        if (IsAsyncCall && (options?.AllowBackgroundResponses == true || options?.ContinuationToken is not null))
        {
            return await BackgroundStepAsync(request, options, cancellationToken).ConfigureAwait(false);
        }

        var response = await client.CallAsync(request, cancellationToken).ConfigureAwait(false);
        return ToChatResponse(response, request);
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return new StreamingResponse(this, messages, options, cancellationToken);
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> MapAsync(IAsyncEnumerable<LlmStreamUpdate> updates, UpdateMapper mapper, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var update in updates.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return mapper.Map(update);
        }
    }

    /// <summary>
    /// One streamed response: each enumeration builds the request (its errors surface when enumerating starts, as from an
    /// iterator) and maps the updates. Over the library's own client the mapping runs inside the stream's loop, so that
    /// the chat client adds no iterator, and no hop per chunk, of its own.
    /// </summary>
    private sealed class StreamingResponse(LlmChatClient owner, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken) : IAsyncEnumerable<ChatResponseUpdate>
    {
        public IAsyncEnumerator<ChatResponseUpdate> GetAsyncEnumerator(CancellationToken enumeratorToken = default)
        {
            var request = owner.ToRequest(messages, options);
            var mapper = new UpdateMapper(request.Model ?? owner.DefaultModel);
            var updates = owner.Inner is LlmClient engine
                ? engine.StreamUpdatesAsync(request, mapper.Map, cancellationToken)
                : MapAsync(owner.Inner.StreamUpdatesAsync(request, cancellationToken), mapper, cancellationToken);
            return updates.GetAsyncEnumerator(enumeratorToken);
        }
    }

    /// <summary>A stream's updates as <see cref="ChatResponseUpdate"/>s: the response id of the first that has one, the latest model.</summary>
    private sealed class UpdateMapper(string? modelId)
    {
        private string? _responseId;
        private string? _modelId = modelId;
        private LlmStreamUpdate? _last;

        public ChatResponseUpdate Map(LlmStreamUpdate update)
        {
            // Read by name, not through update.Fields: the fields of a chunk are made only when someone asks for all of them.
            // (Read only when they may differ from the update before's: a stream's chunks most often share their values.)
            if (_responseId is null && !update.HasTheSameValue("id", _last))
            {
                _responseId = update.FieldText("id");
            }

            if (!update.HasTheSameValue("model", _last))
            {
                _modelId = update.FieldText("model") ?? _modelId;
            }

            _last = update;
            var contents = new UpdateContents();
            if (update.Text.Length > 0)
            {
                contents.Add(new TextContent(update.Text));
            }

            if (update.ToolCalls is { Count: > 0 } calls)
            {
                AddFunctionCalls(contents, calls);
            }

            if (update.Usage is { } usage)
            {
                contents.Add(new UsageContent(ToUsage(usage)));
            }

            return new ChatResponseUpdate(ChatRole.Assistant, contents)
            {
                ResponseId = _responseId,
                MessageId = _responseId,
                ModelId = _modelId,
                FinishReason = ToFinishReason(update.FinishReason),
                RawRepresentation = update,
            };
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            var info = client as ILlmClientCapabilities;
            return new ChatClientMetadata(info?.ProviderName ?? "llmadapters", info?.BaseUri, DefaultModel);
        }

        return serviceType.IsInstanceOfType(this) ? this : serviceType.IsInstanceOfType(client) ? client : null;
    }

    public void Dispose()
    {
        // The wrapped client owns nothing that needs disposing.
    }

    private ILlmClient Inner => client;

    private bool IsAsyncCall => client is ILlmClientCapabilities c && c.ApiTypeOf(call) == LlmApiType.Async;

    private string? DefaultModel => (client as ILlmClientCapabilities)?.DefaultModel;

    /// <summary>One step of a background (async) response: submit and return a token, or poll once and return the result or the token again.</summary>
    private async Task<ChatResponse> BackgroundStepAsync(LlmRequest request, ChatOptions? options, CancellationToken cancellationToken)
    {
        if (options?.ContinuationToken is { } token)
        {
            request = new LlmRequest
            {
                Call = request.Call,
                Model = request.Model,
                Variables = request.Variables,
                QueryId = QueryIdFrom(token),
            };
        }

        var enumerator = client.StreamUpdatesAsync(request, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (enumerator.ConfigureAwait(false))
        {
            string? queryId = request.QueryId;
            var skipSubmit = request.QueryId is not null;
            while (await enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                var update = enumerator.Current;
                if (update.Status == PollEvent.Finished)
                {
                    var response = new LlmResponse(update.Text, update.Fields, 200, update.Usage, update.FinishReason);
                    return ToChatResponse(response, request);
                }

                queryId = Text(update.Fields, PlanRunner.QueryIdField) ?? queryId;
                if (update.Status == PollEvent.Submitted && skipSubmit)
                {
                    continue; // a resumed task: wait for one poll
                }

                // Submitted, or one poll that found the task still running: hand back a token to poll again later.
                return new ChatResponse([])
                {
                    ContinuationToken = queryId is null ? null : TokenFor(queryId),
                    ResponseId = queryId,
                    ModelId = request.Model ?? DefaultModel,
                    AdditionalProperties = new AdditionalPropertiesDictionary { ["status"] = update.Status },
                    RawRepresentation = update,
                };
            }
        }

        throw new InvalidOperationException("The poll loop ended without a result.");
    }

    private static ResponseContinuationToken TokenFor(string queryId)
        => ResponseContinuationToken.FromBytes((byte[])[.. TokenPrefix, .. Encoding.UTF8.GetBytes(queryId)]);

    private static string QueryIdFrom(ResponseContinuationToken token)
    {
        var bytes = token.ToBytes().Span;
        if (!bytes.StartsWith(TokenPrefix))
        {
            throw new ArgumentException("The continuation token was not made by an LlmAdapters chat client.", nameof(token));
        }

        return Encoding.UTF8.GetString(bytes[TokenPrefix.Length..]);
    }

    private LlmRequest ToRequest(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var list = new List<LlmMessage>();
        foreach (var message in messages)
        {
            var images = new List<LlmMedia>();
            List<LlmToolCall>? calls = null;
            List<LlmMessage>? results = null;
            foreach (var content in message.Contents)
            {
                switch (content)
                {
                    case DataContent data when data.HasTopLevelMediaType("image"):
                        images.Add(LlmMedia.FromBytes(data.Data, data.MediaType));
                        break;
                    case UriContent uri when uri.HasTopLevelMediaType("image"):
                        images.Add(LlmMedia.FromUrl(uri.Uri, uri.MediaType));
                        break;
                    case FunctionCallContent call:
                        (calls ??= []).Add(new LlmToolCall(call.CallId, call.Name, JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>)))));
                        break;
                    case FunctionResultContent result:
                        (results ??= []).Add(LlmMessage.ToolResult(result.CallId, ResultText(result)));
                        break;
                    case DataContent data:
                        throw new LlmRequestException($"A {message.Role} message holds {data.MediaType} data, which call '{call}' cannot send (the chat client sends text, images, function calls and results); nothing was sent.");
                    case UriContent uri:
                        throw new LlmRequestException($"A {message.Role} message holds a {uri.MediaType} link, which call '{call}' cannot send (the chat client sends text, images, function calls and results); nothing was sent.");
                    case HostedFileContent file:
                        throw new LlmRequestException($"A {message.Role} message refers to a hosted file ({file.FileId}), which call '{call}' cannot send; nothing was sent.");
                }
            }

            if (results is not null)
            {
                // Each result is a message of its own (role tool); vendors that group them (Anthropic) regroup them.
                list.AddRange(results);
                continue;
            }

            list.Add(new LlmMessage(message.Role.Value, message.Text) { Images = images, ToolCalls = calls ?? [] });
        }

        // Every option that maps to a variable must have a place in the call: an option the call cannot send is an
        // error naming it, never silently left out.
        RequirePlace("MaxOutputTokens", "max_tokens", options?.MaxOutputTokens);
        RequirePlace("Temperature", "temperature", options?.Temperature);
        var variables = new Dictionary<string, object?>(StringComparer.Ordinal);
        Option(variables, "TopP", "top_p", options?.TopP);
        Option(variables, "TopK", "top_k", options?.TopK);
        Option(variables, "Seed", "seed", options?.Seed);
        Option(variables, "FrequencyPenalty", "frequency_penalty", options?.FrequencyPenalty);
        Option(variables, "PresencePenalty", "presence_penalty", options?.PresencePenalty);
        Option(variables, "StopSequences", "stop", options?.StopSequences is { Count: > 0 } stop ? stop : null);
        Option(variables, "AllowMultipleToolCalls", "parallel_tool_calls", options?.AllowMultipleToolCalls);

        if (options?.AdditionalProperties is { } extra)
        {
            foreach (var (name, value) in extra)
            {
                variables[name] = value;
            }
        }

        return new LlmRequest
        {
            Call = call,
            Messages = list,
            System = options?.Instructions,
            Model = options?.ModelId,
            MaxTokens = options?.MaxOutputTokens,
            Temperature = options?.Temperature,
            Variables = variables,
            Tools = ToTools(options?.Tools),
            ToolChoice = ToToolChoice(options?.ToolMode),
            ResponseFormat = ToResponseFormat(options?.ResponseFormat),
        };
    }

    private void Option(Dictionary<string, object?> variables, string option, string variable, object? value)
    {
        if (RequirePlace(option, variable, value))
        {
            variables[variable] = value;
        }
    }

    /// <summary>True when <paramref name="value"/> is set and the call reads <paramref name="variable"/>; an error when it is set and the call does not.</summary>
    private bool RequirePlace(string option, string variable, object? value)
    {
        if (value is null)
        {
            return false;
        }

        if (client is ILlmClientCapabilities capabilities && capabilities.Reads(call, variable) == false)
        {
            throw new LlmRequestException($"ChatOptions.{option} is set, but call '{call}' has no place for it (its templates do not use ${{{variable}}}); nothing was sent. Leave it unset, or use a call that sends it.");
        }

        return true;
    }

    /// <summary>A function's result as text: a string as it is, anything else as JSON (an exception as its message).</summary>
    private static string ResultText(FunctionResultContent result) => result.Result switch
    {
        null => result.Exception is { } e ? $"Error: {e.Message}" : "null",
        string text => text,
        JsonElement { ValueKind: JsonValueKind.String } element => element.GetString()!,
        JsonElement element => element.GetRawText(),
        var value => JsonSerializer.Serialize(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType())),
    };

    private List<LlmTool> ToTools(IList<AITool>? tools)
    {
        if (tools is not { Count: > 0 })
        {
            return [];
        }

        var list = new List<LlmTool>(tools.Count);
        foreach (var tool in tools)
        {
            if (tool is not AIFunctionDeclaration function)
            {
                throw new LlmRequestException($"ChatOptions.Tools holds '{tool.Name}' ({tool.GetType().Name}), a tool that is not a function: call '{call}' can send functions (AIFunctionDeclaration) only; nothing was sent.");
            }

            list.Add(new LlmTool(function.Name, string.IsNullOrEmpty(function.Description) ? null : function.Description, function.JsonSchema));
        }

        return list;
    }

    private static LlmToolChoice? ToToolChoice(ChatToolMode? mode) => mode switch
    {
        null => null,
        NoneChatToolMode => LlmToolChoice.None,
        AutoChatToolMode => LlmToolChoice.Auto,
        RequiredChatToolMode { RequiredFunctionName: { } name } => LlmToolChoice.Tool(name),
        RequiredChatToolMode => LlmToolChoice.Required,
        _ => throw new LlmRequestException($"ChatOptions.ToolMode {mode.GetType().Name} is not one the chat client knows (none, auto, required); nothing was sent."),
    };

    private static LlmResponseFormat? ToResponseFormat(ChatResponseFormat? format) => format switch
    {
        null => null,
        ChatResponseFormatText => LlmResponseFormat.Text,
        ChatResponseFormatJson { Schema: { } schema } json => LlmResponseFormat.JsonSchema(json.SchemaName ?? "response", schema, json.SchemaDescription),
        ChatResponseFormatJson => LlmResponseFormat.Json,
        _ => throw new LlmRequestException($"ChatOptions.ResponseFormat {format.GetType().Name} is not one the chat client knows (text, JSON, JSON Schema); nothing was sent."),
    };

    /// <summary>The model's tool calls as <see cref="FunctionCallContent"/>, their arguments parsed (the values as <see cref="JsonElement"/>s).</summary>
    private static void AddFunctionCalls<TContents>(TContents contents, IReadOnlyList<LlmToolCall> calls)
        where TContents : IList<AIContent>
    {
        foreach (var call in calls)
        {
            var arguments = JsonSerializer.Deserialize(call.Arguments, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(Dictionary<string, object?>))) as Dictionary<string, object?>;
            contents.Add(new FunctionCallContent(call.Id, call.Name, arguments));
        }
    }

    private ChatResponse ToChatResponse(LlmResponse response, LlmRequest request) => new(ToMessage(response))
    {
        ResponseId = Text(response.Fields, "id"),
        ModelId = Text(response.Fields, "model") ?? request.Model ?? DefaultModel,
        FinishReason = ToFinishReason(response.FinishReason),
        Usage = response.Usage is { } usage ? ToUsage(usage) : null,
        RawRepresentation = response,
    };

    private static ChatMessage ToMessage(LlmResponse response)
    {
        var contents = new List<AIContent>();
        if (response.Text.Length > 0)
        {
            contents.Add(new TextContent(response.Text));
        }

        AddFunctionCalls(contents, response.ToolCalls);
        return new ChatMessage(ChatRole.Assistant, contents);
    }

    private static UsageDetails ToUsage(LlmUsage usage) => new()
    {
        InputTokenCount = usage.InputTokens,
        OutputTokenCount = usage.OutputTokens,
        TotalTokenCount = usage.TotalTokens,
    };

    /// <summary>Vendors' finish reasons in Microsoft.Extensions.AI's terms; others are kept as they are.</summary>
    private static ChatFinishReason? ToFinishReason(string? reason) => reason?.ToLowerInvariant() switch
    {
        null or "" => null,
        "stop" or "end_turn" or "stop_sequence" or "complete" or "eos" => ChatFinishReason.Stop,
        "length" or "max_tokens" or "max_output_tokens" => ChatFinishReason.Length,
        "tool_calls" or "tool_use" or "function_call" => ChatFinishReason.ToolCalls,
        "content_filter" or "safety" or "sensitive" => ChatFinishReason.ContentFilter,
        _ => new ChatFinishReason(reason),
    };

    private static string? Text(IReadOnlyDictionary<string, JsonElement> fields, string name)
        => fields.TryGetValue(name, out var value) && value.ValueKind is JsonValueKind.String or JsonValueKind.Number ? JsonValues.ToText(value) : null;
}
