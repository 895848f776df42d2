using LlmAdapters.Cli.Profiles;

namespace LlmAdapters.Cli.Commands;

/// <summary>The options of <c>call</c>.</summary>
/// <param name="Profile">The profile or adapter, and the options that fill its variables.</param>
/// <param name="Call">The call to run (<c>chat</c> by default).</param>
/// <param name="Prompt">The prompt.</param>
/// <param name="Json">Print the whole response as JSON instead of streaming the text.</param>
internal sealed record CallOptions(ProfileOptions Profile, string Call, string Prompt, bool Json);
