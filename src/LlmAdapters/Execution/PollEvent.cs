using System.Text.Json;

namespace LlmAdapters.Execution;

/// <summary>One step of an async call: the submit, a poll (with the status it reported), a retried poll, or the finished result.</summary>
internal sealed record PollEvent(string Status, IReadOnlyDictionary<string, JsonElement> Fields, LlmResponse? Result)
{
    public const string Submitted = "submitted";
    public const string Finished = "finished";
    public const string Retrying = "retrying";
}
