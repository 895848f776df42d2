namespace LlmAdapters.Cli.Http;

/// <summary>A response body recorded on disk, with the content type it is served with.</summary>
internal sealed record RecordedResponse(string File, byte[] Body, string ContentType)
{
    /// <summary>Reads a file; the content type is <paramref name="contentType"/> when given, else guessed from the file.</summary>
    public static RecordedResponse Load(string file, string? contentType)
    {
        var body = System.IO.File.ReadAllBytes(file);
        return new RecordedResponse(file, body, contentType ?? Guess(file, body));
    }

    /// <summary>SSE for .sse or a body that starts like an event stream; NDJSON for .ndjson/.jsonl or one JSON object per line; JSON when it starts with { or [; else plain text.</summary>
    public static string Guess(string file, ReadOnlySpan<byte> body)
    {
        var extension = Path.GetExtension(file).ToLowerInvariant();
        if (extension is ".sse")
        {
            return "text/event-stream";
        }

        if (extension is ".ndjson" or ".jsonl")
        {
            return "application/x-ndjson";
        }

        var start = body.TrimStart("\uFEFF"u8).TrimStart(" \t\r\n"u8);
        if (start.StartsWith("data:"u8) || start.StartsWith("event:"u8) || start.StartsWith("id:"u8) || start.StartsWith(":"u8))
        {
            return "text/event-stream";
        }

        if (start.StartsWith("{"u8) || start.StartsWith("["u8))
        {
            // Several lines that each start a JSON object is NDJSON; an indented JSON document has lines that do not.
            var lines = System.Text.Encoding.UTF8.GetString(start).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return lines.Length > 1 && extension != ".json" && lines.All(l => l.StartsWith('{')) ? "application/x-ndjson" : "application/json";
        }

        return "text/plain";
    }
}
