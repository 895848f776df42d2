using LlmAdapters.Cli.Profiles;

namespace LlmAdapters.Cli.Commands;

/// <summary>The request options of <c>call</c> and <c>replay</c>: <c>--system</c>, <c>--max-tokens</c>, <c>--temperature</c>, <c>--image</c>.</summary>
/// <param name="System">The system prompt.</param>
/// <param name="MaxTokens">The answer's token limit.</param>
/// <param name="Temperature">The sampling temperature.</param>
/// <param name="Images">Image URLs (http, https) or files.</param>
internal sealed record RequestOptions(string? System, int? MaxTokens, double? Temperature, IReadOnlyList<string> Images)
{
    public static RequestOptions None { get; } = new(null, null, null, []);

    private static readonly Dictionary<string, string> ImageTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".png"] = "image/png",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".gif"] = "image/gif",
        [".webp"] = "image/webp",
    };

    /// <summary>The request for <paramref name="call"/>: the prompt (when given), these options and the profile's typed variables.</summary>
    /// <exception cref="CliUsageException">An image file is missing or of an unknown type.</exception>
    public LlmRequest ToRequest(string call, string? prompt, ResolvedProfile resolved, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(resolved);
        ArgumentNullException.ThrowIfNull(console);
        return new LlmRequest
        {
            Call = call,
            Prompt = prompt,
            System = System,
            MaxTokens = MaxTokens,
            Temperature = Temperature,
            Images = [.. Images.Select(i => Image(i, console))],
            Variables = resolved.RequestVariables,
        };
    }

    private static LlmMedia Image(string image, CliConsole console)
    {
        if (Uri.TryCreate(image, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
        {
            return LlmMedia.FromUrl(url);
        }

        var file = console.FullPath(image);
        if (!File.Exists(file))
        {
            throw new CliUsageException($"--image {image}: no such file (looked in {file}); give an image file or an http(s) URL.");
        }

        return ImageTypes.TryGetValue(Path.GetExtension(file), out var mime)
            ? LlmMedia.FromBytes(File.ReadAllBytes(file), mime)
            : throw new CliUsageException($"--image {image}: the type of the image is not known from its extension; use a .png, .jpg, .gif or .webp file, or a URL.");
    }
}
