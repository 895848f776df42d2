namespace LlmAdapters;

/// <summary>One message of a chat history: who said it and what.</summary>
/// <param name="Role">The speaker: <c>system</c>, <c>user</c>, <c>assistant</c>, or whatever role names the vendor uses.</param>
/// <param name="Content">The text of the message.</param>
/// <remarks>
/// In the <c>${messages}</c> variable a message is <c>{"role": ..., "content": ...}</c>, plus <c>"images"</c> (a list of
/// media items) when it has images. Vendor converters such as <c>openai_messages</c> turn that into the vendor's shape.
/// </remarks>
public sealed record LlmMessage(string Role, string Content)
{
    /// <summary>Images that belong to this message (vision input).</summary>
    public IReadOnlyList<LlmMedia> Images { get; init; } = [];

    /// <summary>A message with role <c>system</c>.</summary>
    public static LlmMessage System(string content) => new("system", content);

    /// <summary>A message with role <c>user</c>.</summary>
    public static LlmMessage User(string content) => new("user", content);

    /// <summary>A message with role <c>user</c> and images.</summary>
    public static LlmMessage User(string content, params LlmMedia[] images) => new("user", content) { Images = images };

    /// <summary>A message with role <c>assistant</c>.</summary>
    public static LlmMessage Assistant(string content) => new("assistant", content);
}
