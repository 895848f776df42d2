namespace LlmAdapters;

/// <summary>Whether and which tools the model must call (<see cref="LlmToolChoice.Kind"/>).</summary>
public enum LlmToolChoiceKind
{
    /// <summary>The model decides whether to call a tool (<c>"auto"</c>).</summary>
    Auto,

    /// <summary>The model must not call a tool (<c>"none"</c>).</summary>
    None,

    /// <summary>The model must call at least one tool (<c>"required"</c>).</summary>
    Required,

    /// <summary>The model must call the named tool (<c>{"name": ...}</c>).</summary>
    Tool,
}
