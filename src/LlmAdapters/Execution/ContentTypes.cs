namespace LlmAdapters.Execution;

/// <summary>What a 2xx response's content type says about its body, before a byte of it is read as the answer.</summary>
internal static class ContentTypes
{
    /// <summary>application/json and the +json types (not NDJSON, which is a stream).</summary>
    public static bool IsJson(string? mediaType)
        => mediaType is not null
            && (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Types no call reads as an answer: a page (a proxy's or a login portal's), XML, media, archives. A 2xx body of such
    /// a type is raised, never taken for the answer's text.
    /// </summary>
    public static bool IsUnreadable(string? mediaType)
    {
        if (mediaType is null)
        {
            return false;
        }

        return mediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/xhtml+xml", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("text/xml", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/xml", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/pdf", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/zip", StringComparison.OrdinalIgnoreCase)
            || mediaType.StartsWith("image/", StringComparison.OrdinalIgnoreCase)
            || mediaType.StartsWith("audio/", StringComparison.OrdinalIgnoreCase)
            || mediaType.StartsWith("video/", StringComparison.OrdinalIgnoreCase)
            || mediaType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>"content type X", or "no content type", for messages.</summary>
    public static string Describe(string? mediaType) => mediaType is null ? "no content type" : $"content type {mediaType}";
}
