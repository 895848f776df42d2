using System.Text.Json;

namespace LlmAdapters;

/// <summary>One chunk of a stream (its text piece and mapped <c>resp</c> fields), or one step of an async call's poll loop.</summary>
public sealed class LlmStreamUpdate
{
    /// <summary>Creates an update. Library code creates these; the constructor is public so that tests can fake a client.</summary>
    public LlmStreamUpdate(string text, IReadOnlyDictionary<string, JsonElement> fields, string? eventType = null, string? status = null)
    {
        Text = text ?? string.Empty;
        Fields = fields ?? throw new ArgumentNullException(nameof(fields));
        EventType = eventType;
        Status = status;
    }

    /// <summary>The new text of this chunk (empty when the chunk carries only metadata, such as the final usage).</summary>
    public string Text { get; }

    /// <summary>The <c>resp</c> items this chunk carries (non-null values only), after converters and chunk filters.</summary>
    public IReadOnlyDictionary<string, JsonElement> Fields { get; }

    /// <summary>The Server-Sent Events event type of the chunk (stream_format sse), else null.</summary>
    public string? EventType { get; }

    /// <summary>For async calls: <c>submitted</c> after the submit (with the task's <c>queryid</c> in <see cref="Fields"/>), then the status each poll reported, then <c>finished</c> with the result. Null for stream chunks.</summary>
    public string? Status { get; }

    /// <summary>Token usage, when this chunk carries it.</summary>
    public LlmUsage? Usage => Mapping.ResponseMap.UsageFrom(Fields);

    /// <summary>
    /// The tools the model asks to call: empty on every chunk but the last update of a stream, which carries all of them,
    /// whole (their pieces joined and checked), in <see cref="Fields"/>' <c>tool_calls</c> item.
    /// </summary>
    public IReadOnlyList<LlmToolCall> ToolCalls => Mapping.ToolCalls.From(Fields);

    /// <summary>The finish reason, when this chunk carries it.</summary>
    public string? FinishReason => Mapping.ResponseMap.FinishReasonFrom(Fields);

    /// <inheritdoc />
    public override string ToString() => Status is not null ? $"({Status}) {Text}" : EventType is null ? Text : $"[{EventType}] {Text}";
}
