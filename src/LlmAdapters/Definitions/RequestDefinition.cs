namespace LlmAdapters.Definitions;

/// <summary>A request as written: a call's own (<c>method</c>, <c>path</c>, <c>headers</c>, <c>params</c>, <c>data</c>), or its poll's (the <c>query_</c> keys).</summary>
/// <param name="Method">The HTTP method, upper case.</param>
/// <param name="Path">The URL path template after the base URL.</param>
/// <param name="PathLocation">Where the path is written.</param>
/// <param name="Headers">The header items (a poll without <c>query_headers</c> has the call's).</param>
/// <param name="Params">The query-string items.</param>
/// <param name="Data">The body items; null when no body is sent.</param>
internal sealed record RequestDefinition(string Method, string Path, SourceLocation PathLocation, IReadOnlyList<ParameterItem> Headers, IReadOnlyList<ParameterItem> Params, IReadOnlyList<ParameterItem>? Data)
{
    /// <summary>True for <c>query_url</c>: the path is a whole URL read from an earlier response, not a path after the base URL.</summary>
    public bool IsUrl { get; init; }
}
