namespace LlmAdapters;

/// <summary>One message of a chat history: who said it and what.</summary>
/// <param name="Role">The speaker: <c>system</c>, <c>user</c>, <c>assistant</c>, or whatever role names the vendor uses.</param>
/// <param name="Content">The text of the message.</param>
public sealed record LlmMessage(string Role, string Content)
{
    /// <summary>A message with role <c>system</c>.</summary>
    public static LlmMessage System(string content) => new("system", content);

    /// <summary>A message with role <c>user</c>.</summary>
    public static LlmMessage User(string content) => new("user", content);

    /// <summary>A message with role <c>assistant</c>.</summary>
    public static LlmMessage Assistant(string content) => new("assistant", content);
}
