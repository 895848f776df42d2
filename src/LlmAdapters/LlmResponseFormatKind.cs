namespace LlmAdapters;

/// <summary>The form of the answer (<see cref="LlmResponseFormat.Kind"/>).</summary>
public enum LlmResponseFormatKind
{
    /// <summary>Plain text.</summary>
    Text,

    /// <summary>Any JSON value (the vendor's JSON mode).</summary>
    Json,

    /// <summary>JSON that fits a JSON Schema.</summary>
    JsonSchema,
}
