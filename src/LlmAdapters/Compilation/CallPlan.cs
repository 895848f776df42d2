
using LlmAdapters.Definitions;
using LlmAdapters.Mapping;
using LlmAdapters.Streaming;

namespace LlmAdapters.Compilation;

/// <summary>One call, compiled: everything needed to build its requests and map its responses, fixed for the life of the catalog.</summary>
/// <remarks>Immutable and thread-safe. Only <see cref="PlanCompiler"/> creates plans.</remarks>
internal sealed class CallPlan
{
    internal CallPlan(string adapter, CallDefinition definition, RequestPlan request, ResponseMap response, ErrorMap error, InputKinds inputs, Lazy<StreamPlan>? stream, PollPlan? poll)
    {
        Adapter = adapter;
        Name = definition.Name;
        ApiType = definition.ApiType;
        Description = definition.Description;
        Location = definition.Location;
        Request = request;
        Response = response;
        Error = error;
        Inputs = inputs;
        _stream = stream;
        Poll = poll;
        var used = request.VariableNames.ToHashSet(StringComparer.Ordinal);
        AcceptsTools = used.Contains("tools");
        AcceptsToolChoice = used.Contains("tool_choice");
        AcceptsResponseFormat = used.Contains("response_format");
        UsesInput = used.Contains("input");
        UsesDimensions = used.Contains("dimensions");
    }

    /// <summary>True when the call's templates use <c>${tools}</c>: it takes tools, and tool calls and results in its messages.</summary>
    public bool AcceptsTools { get; }

    /// <summary>True when the call's templates use <c>${tool_choice}</c>.</summary>
    public bool AcceptsToolChoice { get; }

    /// <summary>True when the call's templates use <c>${response_format}</c>.</summary>
    public bool AcceptsResponseFormat { get; }

    public string Adapter { get; }

    public string Name { get; }

    public LlmApiType ApiType { get; }

    public string? Description { get; }

    public SourceLocation Location { get; }

    /// <summary>"call 'chat' of adapter 'openai' (adapters/openai.json, line 3)", for messages.</summary>
    /// <remarks>Made on first use: the line is looked up only then.</remarks>
    public string DisplayName => _displayName ??= $"call '{Name}' of adapter '{Adapter}' ({Location.Describe()})";

    private string? _displayName;

    public RequestPlan Request { get; }

    public ResponseMap Response { get; }

    /// <summary>The one-pass reader of a whole response's items, built on first use (sync calls and async submits).</summary>
    public ResponseReader ResponseReader => _responseReader ??= new ResponseReader(Response, Error);

    private ResponseReader? _responseReader;

    public ErrorMap Error { get; }

    public InputKinds Inputs { get; }

    /// <summary>How the response is streamed; null unless the call is a stream call.</summary>
    /// <remarks>
    /// Built on first use (by one thread; the others wait for it and share it): its slot layout and path sets check
    /// nothing the compiler has not checked, and cost a cold load milliseconds for calls that may never stream.
    /// </remarks>
    public StreamPlan? Stream => _stream?.Value;

    private readonly Lazy<StreamPlan>? _stream;

    /// <summary>The poll loop; null unless the call has a <c>query_path</c> or <c>query_url</c>. For a stream call, its query is the stream step.</summary>
    public PollPlan? Poll { get; }

    /// <summary>A stream call that submits first and then streams from <see cref="PollPlan.Query"/> (Replicate's <c>urls.stream</c>); null for a plain stream call.</summary>
    public RequestPlan? StreamStep => ApiType == LlmApiType.Stream ? Poll?.Query : null;

    /// <summary><c>submit_resp</c>: the items of a stream step's submit response, the variables of the stream request.</summary>
    public ResponseMap SubmitResponse { get; init; } = new([]);

    /// <summary>The reader of the vectors (the <c>resp</c> item named <c>embeddings</c>); null unless the call is an embedding call.</summary>
    public EmbeddingReader? Embeddings { get; init; }

    /// <summary><c>max_inputs</c>: the most <see cref="LlmRequest.Inputs"/> one request carries; null for no limit.</summary>
    public int? MaxInputs { get; init; }

    /// <summary>True when the call's request reads <c>${input}</c> (so it can take <see cref="LlmRequest.Inputs"/>).</summary>
    public bool UsesInput { get; }

    /// <summary>True when the call's request reads <c>${dimensions}</c> (so it can take <see cref="LlmRequest.Dimensions"/>).</summary>
    public bool UsesDimensions { get; }

    /// <summary><c>auth</c>: the token call whose token the call's requests use as <c>${access_token}</c>; null when there is none.</summary>
    public AuthPlan? Auth { get; init; }

    /// <summary>What the call is, for tools and validation.</summary>
    public LlmCallInfo Describe()
    {
        // Variables that a submit response provides to the poll request are not the caller's to give.
        var submitted = Poll is null ? [] : (StreamStep is null ? Response : SubmitResponse).Fields.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var required = Request.RequiredVariableNames
            .Concat(Poll?.Query.RequiredVariableNames.Where(v => !submitted.Contains(v)) ?? [])
            .Concat(Auth?.Request.RequiredVariableNames ?? [])
            .Where(v => Auth is null || v != AuthPlan.TokenVariable) // the token call gives it
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var inputs = new List<string>();
        if (Inputs.HasFlag(InputKinds.Prompt))
        {
            inputs.Add("prompt");
        }

        if (Inputs.HasFlag(InputKinds.Image))
        {
            inputs.Add("image");
        }

        if (Inputs.HasFlag(InputKinds.Video))
        {
            inputs.Add("video");
        }

        if (AcceptsTools)
        {
            inputs.Add("tools");
        }

        if (AcceptsToolChoice)
        {
            inputs.Add("tool_choice");
        }

        if (AcceptsResponseFormat)
        {
            inputs.Add("response_format");
        }

        return new LlmCallInfo(Adapter, Name, ApiType, Description, [.. VariableNames.Order(StringComparer.Ordinal)], required, inputs, Location.Describe());
    }

    /// <summary>Every variable the call's templates read (for validation and documentation).</summary>
    public IEnumerable<string> VariableNames => Request.VariableNames.Concat(Poll?.Query.VariableNames ?? []).Concat(Auth?.Request.VariableNames ?? []).Distinct(StringComparer.Ordinal);
}
