using LlmAdapters.Cli.Profiles;

namespace LlmAdapters.Cli.Commands;

/// <summary>The options of <c>replay</c>.</summary>
/// <param name="Profile">The adapter (or profile, or definition file) and the options that fill its variables.</param>
/// <param name="Call">The call whose response side runs.</param>
/// <param name="Responses">Recorded bodies, served in order (the last repeats).</param>
/// <param name="ShowRequest">Print the request that would be sent.</param>
/// <param name="ContentType">The content type to serve the recordings with; guessed when null.</param>
/// <param name="StatusCode">The HTTP status to serve them with.</param>
/// <param name="Prompt">The prompt the request is built from.</param>
/// <param name="Json">Print the response as JSON.</param>
/// <param name="Request">The system prompt, token limit, temperature and images of the request.</param>
internal sealed record ReplayOptions(ProfileOptions Profile, string Call, IReadOnlyList<string> Responses, bool ShowRequest, string? ContentType, int StatusCode, string? Prompt, bool Json, RequestOptions Request);
