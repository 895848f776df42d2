namespace LlmAdapters.Streaming;

/// <summary>The comparison of a <c>chunk_filter</c>.</summary>
internal enum FilterOp
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Contains,
    StartsWith,
    Regex,
    Exists,
    Missing,
}
