namespace LlmAdapters;

/// <summary>What to ask: the call to run and the values its templates are filled from.</summary>
/// <remarks>
/// Each property fills a standard variable that shipped adapters use: <c>messages</c>, <c>prompt</c>, <c>system</c>,
/// <c>model</c>, <c>max_tokens</c>, <c>temperature</c>, <c>images</c>, <c>videos</c>, <c>tools</c>, <c>tool_choice</c>,
/// <c>response_format</c>. Tools, a tool choice, a response format or tool messages (<see cref="LlmMessage.ToolCalls"/>,
/// role <c>tool</c>) on a call that has no place for them raise <see cref="LlmRequestException"/> before anything is sent. A property left null leaves its
/// variable unset, so the profile's value (for <c>model</c>) or the template's default applies.
/// <see cref="Variables"/> override everything else, including the profile's variables.
/// </remarks>
public sealed class LlmRequest
{
    /// <summary>The name of the call in the definition file; <c>chat</c> by default.</summary>
    public string Call { get; init; } = "chat";

    /// <summary>The chat history, oldest first. Fills <c>${messages}</c> (with <see cref="System"/> first when set).</summary>
    public IReadOnlyList<LlmMessage> Messages { get; init; } = [];

    /// <summary>The prompt text. Fills <c>${prompt}</c>; when null, <c>${prompt}</c> is the last user message.</summary>
    public string? Prompt { get; init; }

    /// <summary>The system prompt. Fills <c>${system}</c> and becomes the first message of <c>${messages}</c>.</summary>
    public string? System { get; init; }

    /// <summary>The model; overrides the profile's <c>model</c> variable.</summary>
    public string? Model { get; init; }

    /// <summary>The maximum number of tokens to generate. Fills <c>${max_tokens}</c>.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>The sampling temperature. Fills <c>${temperature}</c>.</summary>
    public double? Temperature { get; init; }

    /// <summary>Images for calls that accept them (<c>input_items</c> contains <c>image</c>). Fills <c>${images}</c>.</summary>
    public IReadOnlyList<LlmMedia> Images { get; init; } = [];

    /// <summary>Videos for calls that accept them (<c>input_items</c> contains <c>video</c>). Fills <c>${videos}</c>.</summary>
    public IReadOnlyList<LlmMedia> Videos { get; init; } = [];

    /// <summary>The functions the model may call. Fills <c>${tools}</c>; a call that does not use <c>${tools}</c> refuses a request with tools.</summary>
    public IReadOnlyList<LlmTool> Tools { get; init; } = [];

    /// <summary>Whether and which tools the model must call. Fills <c>${tool_choice}</c>; null leaves it to the vendor's default.</summary>
    public LlmToolChoice? ToolChoice { get; init; }

    /// <summary>The form of the answer (JSON mode, a JSON Schema). Fills <c>${response_format}</c>; null leaves it to the vendor (text).</summary>
    public LlmResponseFormat? ResponseFormat { get; init; }

    /// <summary>For async calls: the id of a task submitted earlier. The submit is skipped and the poll loop waits for this task (its id fills <c>${queryid}</c>).</summary>
    public string? QueryId { get; init; }

    /// <summary>The texts to embed, for embedding calls (a <c>resp</c> item named <c>embeddings</c>). Fills <c>${input}</c> with a JSON array of strings.</summary>
    /// <remarks>
    /// A call whose <c>max_inputs</c> is smaller than the list gets it in consecutive batches, one request each; the
    /// vectors come back in <see cref="LlmResponse.Embeddings"/>, in the order of this list. A call whose templates do not
    /// use <c>${input}</c> rejects a request with inputs (<see cref="LlmRequestException"/>), before anything is sent.
    /// </remarks>
    public IReadOnlyList<string> Inputs { get => _inputs; init => _inputs = value ?? []; }

    private IReadOnlyList<string> _inputs = [];

    /// <summary>The number of dimensions of each embedding vector, for embedding calls that can ask for it. Fills <c>${dimensions}</c>.</summary>
    /// <remarks>A call whose templates do not use <c>${dimensions}</c> rejects a request that sets it (<see cref="LlmRequestException"/>), before anything is sent.</remarks>
    public int? Dimensions { get; init; }

    /// <summary>This request with <see cref="Inputs"/> replaced: one batch of an embedding call.</summary>
    internal LlmRequest WithInputs(IReadOnlyList<string> inputs)
    {
        var copy = (LlmRequest)MemberwiseClone();
        copy._inputs = inputs;
        return copy;
    }

    /// <summary>Any other <c>${var}</c> values, by name. Values are JSON-compatible: strings, numbers, bools, <see cref="System.Text.Json.JsonElement"/>, JsonNode, dictionaries and lists of these.</summary>
    public IReadOnlyDictionary<string, object?> Variables { get; init; } = new Dictionary<string, object?>();
}
