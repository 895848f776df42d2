namespace LlmAdapters;

/// <summary>Whether and which tools the model must call. Fills <c>${tool_choice}</c>.</summary>
/// <remarks>
/// In the <c>${tool_choice}</c> variable it is the string <c>"auto"</c>, <c>"none"</c> or <c>"required"</c>, or
/// <c>{"name": ...}</c> for one named tool; vendor converters such as <c>openai_tool_choice</c> turn it into the vendor's shape.
/// Immutable.
/// </remarks>
public sealed class LlmToolChoice
{
    private LlmToolChoice(LlmToolChoiceKind kind, string? toolName)
    {
        Kind = kind;
        ToolName = toolName;
    }

    /// <summary>The model decides whether to call a tool: every vendor's default, so it leaves <c>${tool_choice}</c> unset.</summary>
    public static LlmToolChoice Auto { get; } = new(LlmToolChoiceKind.Auto, null);

    /// <summary>The model must not call a tool.</summary>
    public static LlmToolChoice None { get; } = new(LlmToolChoiceKind.None, null);

    /// <summary>The model must call at least one tool.</summary>
    public static LlmToolChoice Required { get; } = new(LlmToolChoiceKind.Required, null);

    /// <summary>Which choice this is.</summary>
    public LlmToolChoiceKind Kind { get; }

    /// <summary>The tool the model must call, when <see cref="Kind"/> is <see cref="LlmToolChoiceKind.Tool"/>; else null.</summary>
    public string? ToolName { get; }

    /// <summary>The model must call the tool named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null, empty or white space.</exception>
    public static LlmToolChoice Tool(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new(LlmToolChoiceKind.Tool, name);
    }

    /// <inheritdoc />
    public override string ToString() => Kind == LlmToolChoiceKind.Tool ? $"tool '{ToolName}'" : Kind.ToString().ToLowerInvariant();
}
