namespace LlmAdapters;

/// <summary>What a call of a loaded adapter is: for tools that list adapters, and for validating profiles.</summary>
/// <param name="Adapter">The adapter's name.</param>
/// <param name="Name">The call's name.</param>
/// <param name="ApiType">sync, stream or async.</param>
/// <param name="Description">The definition's <c>description</c>, if any.</param>
/// <param name="Variables">Every variable the call's templates read (request, submit and poll).</param>
/// <param name="RequiredVariables">The variables with neither a default nor <c>?</c>: a call fails before sending when one has no value. Standard request variables (prompt, messages...) are included.</param>
/// <param name="Inputs">What the call accepts: prompt, image, video, and tools, tool_choice, response_format when its templates use those variables.</param>
/// <param name="Source">The file the call is defined in, with its line.</param>
public sealed record LlmCallInfo(
    string Adapter,
    string Name,
    LlmApiType ApiType,
    string? Description,
    IReadOnlyList<string> Variables,
    IReadOnlyList<string> RequiredVariables,
    IReadOnlyList<string> Inputs,
    string Source);
