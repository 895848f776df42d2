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

    /// <summary>SSE when the body starts like an event stream; NDJSON for .ndjson/.jsonl; JSON when it starts with { or [; else plain text.</summary>
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
            // Several JSON documents one per line is NDJSON, not one JSON body.
            var lines = 0;
            foreach (var b in start.TrimEnd(" \t\r\n"u8))
            {
                lines += b == (byte)'\n' ? 1 : 0;
            }

            return lines > 0 && start[0] == (byte)'{' && extension != ".json" ? "application/x-ndjson" : "application/json";
        }

        return "text/plain";
    }
}
