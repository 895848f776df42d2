namespace LlmAdapters.Streaming;

/// <summary>The one mapping between <see cref="StreamFormat"/> values and their names in definition files.</summary>
internal static class StreamFormats
{
    public static StreamFormat Parse(string name) => name switch
    {
        "lines" => StreamFormat.Lines,
        "sse" => StreamFormat.Sse,
        "raw" => StreamFormat.Raw,
        "json-array" => StreamFormat.JsonArray,
        _ => throw new System.Diagnostics.UnreachableException($"stream_format '{name}' passed the reader's check but has no value."),
    };

    public static string Name(StreamFormat format) => format switch
    {
        StreamFormat.Lines => "lines",
        StreamFormat.Sse => "sse",
        StreamFormat.Raw => "raw",
        StreamFormat.JsonArray => "json-array",
        _ => throw new System.Diagnostics.UnreachableException($"StreamFormat {(int)format} has no name."),
    };
}
