namespace LlmAdapters;

/// <summary>How a call talks to the vendor (the definition's <c>apitype</c>).</summary>
public enum LlmApiType
{
    /// <summary>One request, one response.</summary>
    Sync,

    /// <summary>One request; the response arrives in chunks.</summary>
    Stream,

    /// <summary>A submit request returns a query id; a query request is repeated until the task is done.</summary>
    Async,
}
