namespace LlmAdapters.Definitions;

/// <summary>One call of a definition file, as written (see README "Definition format"), in sub-records that the compiler maps one to one to plans.</summary>
internal sealed record CallDefinition
{
    public required string Name { get; init; }

    public required SourceLocation Location { get; init; }

    public required LlmApiType ApiType { get; init; }

    public string? Description { get; init; }

    /// <summary>The call's request (compiled to a <c>RequestPlan</c>).</summary>
    public required RequestDefinition Request { get; init; }

    /// <summary>The declared inputs; null when the call does not declare them (they are then inferred from its templates).</summary>
    public IReadOnlyList<string>? InputItems { get; init; }

    public IReadOnlyList<ResponseItem> Resp { get; init; } = [];

    public ErrorDefinition? Error { get; init; }

    /// <summary>How the call's stream is read (compiled to a <c>StreamPlan</c> for a stream call; its chunk_match and filters are checked for every call).</summary>
    public StreamDefinition Stream { get; init; } = StreamDefinition.Default;

    /// <summary>The poll (compiled to a <c>PollPlan</c>); null when the call has neither <c>query_path</c> nor <c>query_url</c>. A stream call with one streams from its request after the submit.</summary>
    public PollDefinition? Poll { get; init; }

    /// <summary><c>submit_resp</c>: a stream call's submit response items (the variables of its stream request).</summary>
    public IReadOnlyList<ResponseItem> SubmitResp { get; init; } = [];

    /// <summary><c>url_hosts</c>: the hosts a URL read from a response may point to; null for the profile's BaseUrl host only.</summary>
    public IReadOnlyList<string>? UrlHosts { get; init; }

    /// <summary>True when reading the call found problems: it is compiled only for the compiler's own problems, never run.</summary>
    public bool HasProblems { get; init; }

    /// <summary>The request-signing scheme of the call's requests (its poll's too); null when they are not signed.</summary>
    public SignDefinition? Sign { get; init; }

    /// <summary><c>max_inputs</c>: the most texts one request of an embedding call carries; null for no limit.</summary>
    public int? MaxInputs { get; init; }

    /// <summary>The token call whose token the call's requests use as <c>${access_token}</c>; null when there is none.</summary>
    public AuthDefinition? Auth { get; init; }
}
