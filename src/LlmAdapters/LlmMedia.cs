namespace LlmAdapters;

/// <summary>An image or a video given to a call, either by URL or as bytes with a MIME type.</summary>
/// <remarks>
/// In templates a media item is the JSON object <c>{"url": "...", "data": "&lt;base64&gt;", "mime_type": "image/png"}</c>
/// (absent members omitted); the <c>data_url</c> and <c>base64</c> converters turn it into what a vendor expects.
/// </remarks>
public sealed class LlmMedia
{
    private LlmMedia(Uri? url, ReadOnlyMemory<byte>? data, string? mimeType)
    {
        Url = url;
        Data = data;
        MimeType = mimeType;
    }

    /// <summary>Where the vendor can fetch the media, when it was given by URL.</summary>
    public Uri? Url { get; }

    /// <summary>The media bytes, when they were given inline.</summary>
    public ReadOnlyMemory<byte>? Data { get; }

    /// <summary>The MIME type, such as <c>image/png</c>; required for inline data.</summary>
    public string? MimeType { get; }

    /// <summary>Media the vendor fetches from a URL (http, https or data).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="url"/> is null.</exception>
    public static LlmMedia FromUrl(Uri url, string? mimeType = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        return new LlmMedia(url, null, mimeType);
    }

    /// <summary>Media the vendor fetches from a URL (http, https or data).</summary>
    /// <exception cref="ArgumentException"><paramref name="url"/> is not an absolute URL.</exception>
    public static LlmMedia FromUrl(string url, string? mimeType = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw new ArgumentException($"'{url}' is not an absolute URL; pass http(s)://... or data:...", nameof(url));
        }

        return new LlmMedia(uri, null, mimeType);
    }

    /// <summary>Media sent inline as bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="mimeType"/> is empty.</exception>
    public static LlmMedia FromBytes(ReadOnlyMemory<byte> data, string mimeType)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mimeType);
        return new LlmMedia(null, data, mimeType);
    }

    /// <inheritdoc />
    public override string ToString() => Url is not null ? $"{MimeType ?? "media"} at {Url}" : $"{MimeType} ({Data?.Length ?? 0} bytes)";
}
