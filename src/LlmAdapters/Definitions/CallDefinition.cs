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

    public string? QueryPath { get; init; }

    public SourceLocation? QueryPathLocation { get; init; }

    public IReadOnlyList<ParameterItem> QueryParams { get; init; } = [];

    public IReadOnlyList<ParameterItem>? QueryData { get; init; }

    public IReadOnlyList<ResponseItem> QueryResp { get; init; } = [];
}
