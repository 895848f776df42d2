namespace LlmAdapters.Definitions;

/// <summary>One call of a definition file, as written (see README "Definition format").</summary>
internal sealed record CallDefinition
{
    public required string Name { get; init; }

    public required SourceLocation Location { get; init; }

    public required string Path { get; init; }

    public required SourceLocation PathLocation { get; init; }

    public required string Method { get; init; }

    public required LlmApiType ApiType { get; init; }

    public string? Description { get; init; }

    public IReadOnlyList<ParameterItem> Headers { get; init; } = [];

    public IReadOnlyList<ParameterItem> Params { get; init; } = [];

    /// <summary>The body items; null when the call has no <c>data</c> key (no body is sent).</summary>
    public IReadOnlyList<ParameterItem>? Data { get; init; }

    /// <summary>The declared inputs; null when the call does not declare them (they are then inferred from its templates).</summary>
    public IReadOnlyList<string>? InputItems { get; init; }

    public IReadOnlyList<ResponseItem> Resp { get; init; } = [];

    public ErrorDefinition? Error { get; init; }

    public string? ChunkMatch { get; init; }

    public SourceLocation? ChunkMatchLocation { get; init; }

    public IReadOnlyList<ChunkFilterDefinition> ChunkFilters { get; init; } = [];

    /// <summary><c>stream_format</c>: lines (default), sse, raw or json-array.</summary>
    public string StreamFormat { get; init; } = "lines";

    /// <summary><c>stream_done</c>: the payload that ends a stream; null when the definition does not name one (then "[DONE]" ends it but is not required).</summary>
    public string? StreamDone { get; init; }

    /// <summary><c>stream_mode</c>: delta (default: each chunk holds new text) or cumulative (each chunk holds all text so far).</summary>
    public string StreamMode { get; init; } = "delta";

    public string? QueryPath { get; init; }

    public SourceLocation? QueryPathLocation { get; init; }

    public IReadOnlyList<ParameterItem> QueryParams { get; init; } = [];

    public IReadOnlyList<ParameterItem>? QueryData { get; init; }

    public IReadOnlyList<ResponseItem> QueryResp { get; init; } = [];

    /// <summary><c>query_method</c>: the poll request's method (default GET).</summary>
    public string QueryMethod { get; init; } = "GET";

    /// <summary><c>query_headers</c>: the poll request's headers; null to reuse the call's headers.</summary>
    public IReadOnlyList<ParameterItem>? QueryHeaders { get; init; }

    /// <summary><c>query_status</c>: key path of the task status in a poll response.</summary>
    public string? QueryStatus { get; init; }

    /// <summary><c>query_done</c>: status values that mean finished; null for the defaults.</summary>
    public IReadOnlyList<string>? QueryDone { get; init; }

    /// <summary><c>query_failed</c>: status values that mean failed; null for the defaults.</summary>
    public IReadOnlyList<string>? QueryFailed { get; init; }

    /// <summary><c>query_error</c>: key path of the failure message in a poll response.</summary>
    public string? QueryError { get; init; }

    /// <summary><c>poll_interval</c>, <c>poll_backoff</c>, <c>poll_max_interval</c>, <c>poll_timeout</c> (seconds, factor, seconds, seconds).</summary>
    public double? PollInterval { get; init; }

    public double? PollBackoff { get; init; }

    public double? PollMaxInterval { get; init; }

    public double? PollTimeout { get; init; }
}
