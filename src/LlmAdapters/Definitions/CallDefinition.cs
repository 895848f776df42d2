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
}
