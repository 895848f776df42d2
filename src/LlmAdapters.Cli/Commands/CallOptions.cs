using LlmAdapters.Cli.Profiles;

namespace LlmAdapters.Cli.Commands;

/// <summary>The options of <c>call</c>.</summary>
/// <param name="Profile">The profile or adapter, and the options that fill its variables.</param>
/// <param name="Call">The call to run (<c>chat</c> by default).</param>
/// <param name="Prompt">The prompt; null for a call that needs none (<c>models</c>).</param>
/// <param name="Json">Print the whole response as JSON instead of streaming the text.</param>
/// <param name="Request">The system prompt, token limit, temperature and images.</param>
internal sealed record CallOptions(ProfileOptions Profile, string Call, string? Prompt, bool Json, RequestOptions Request);
