namespace LlmAdapters.Streaming;

/// <summary>The framing table: one row per <see cref="StreamFormat"/>, and the one mapping between values and their names in definition files.</summary>
internal static class StreamFormats
{
    private static readonly Framing LinesRow = new(StreamFormat.Lines, "lines", AcceptsJsonBody: true, TextPayloads: false, DecodesPayloads: true);
    private static readonly Framing SseRow = new(StreamFormat.Sse, "sse", AcceptsJsonBody: true, TextPayloads: true, DecodesPayloads: true);
    private static readonly Framing RawRow = new(StreamFormat.Raw, "raw", AcceptsJsonBody: true, TextPayloads: true, DecodesPayloads: false);
    private static readonly Framing JsonArrayRow = new(StreamFormat.JsonArray, "json-array", AcceptsJsonBody: false, TextPayloads: false, DecodesPayloads: true);
    private static readonly Framing AwsEventStreamRow = new(StreamFormat.AwsEventStream, "aws-eventstream", AcceptsJsonBody: true, TextPayloads: false, DecodesPayloads: true);

    /// <summary>Every framing, in the order of the enum.</summary>
    public static IReadOnlyList<Framing> All { get; } = [Of(StreamFormat.Lines), Of(StreamFormat.Sse), Of(StreamFormat.Raw), Of(StreamFormat.JsonArray), Of(StreamFormat.AwsEventStream)];

    /// <summary>The row of <paramref name="format"/>.</summary>
    public static Framing Of(StreamFormat format) => format switch
    {
        StreamFormat.Lines => LinesRow,
        StreamFormat.Sse => SseRow,
        StreamFormat.Raw => RawRow,
        StreamFormat.JsonArray => JsonArrayRow,
        StreamFormat.AwsEventStream => AwsEventStreamRow,
        _ => throw new System.Diagnostics.UnreachableException($"StreamFormat {(int)format} has no row in the framing table."),
    };

    public static StreamFormat Parse(string name)
    {
        foreach (var row in All)
        {
            if (row.Name == name)
            {
                return row.Format;
            }
        }

        throw new System.Diagnostics.UnreachableException($"stream_format '{name}' passed the reader's check but has no value.");
    }

    public static string Name(StreamFormat format) => Of(format).Name;
}
