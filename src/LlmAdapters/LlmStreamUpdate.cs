using System.Text.Json;

namespace LlmAdapters;

/// <summary>One chunk of a stream: its text piece and its mapped <c>resp</c> fields.</summary>
public sealed class LlmStreamUpdate
{
    /// <summary>Creates an update. Library code creates these; the constructor is public so that tests can fake a client.</summary>
    public LlmStreamUpdate(string text, IReadOnlyDictionary<string, JsonElement> fields, string? eventType = null)
    {
        Text = text ?? string.Empty;
        Fields = fields ?? throw new ArgumentNullException(nameof(fields));
        EventType = eventType;
    }

    /// <summary>The new text of this chunk (empty when the chunk carries only metadata, such as the final usage).</summary>
    public string Text { get; }

    /// <summary>The <c>resp</c> items this chunk carries (non-null values only), after converters and chunk filters.</summary>
    public IReadOnlyDictionary<string, JsonElement> Fields { get; }

    /// <summary>The Server-Sent Events event type of the chunk (stream_format sse), else null.</summary>
    public string? EventType { get; }

    /// <summary>Token usage, when this chunk carries it.</summary>
    public LlmUsage? Usage => Compilation.ResponseMap.UsageFrom(Fields);

    /// <summary>The finish reason, when this chunk carries it.</summary>
    public string? FinishReason => Compilation.ResponseMap.FinishReasonFrom(Fields);

    /// <inheritdoc />
    public override string ToString() => EventType is null ? Text : $"[{EventType}] {Text}";
}
