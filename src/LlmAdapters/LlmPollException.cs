namespace LlmAdapters;

/// <summary>An async call's task failed, or did not finish before the call's poll deadline.</summary>
/// <remarks>
/// <see cref="QueryId"/> identifies the task: when the deadline passed, the task may still finish, and
/// <c>new LlmRequest { Call = ..., QueryId = e.QueryId }</c> waits for it again without submitting a second (paid) job.
/// </remarks>
public sealed class LlmPollException : LlmVendorException
{
    /// <summary>Creates the exception; set the vendor's message and code with an object initializer.</summary>
    public LlmPollException(string message, string? queryId, string? status, bool timedOut)
        : base(message, vendorMessage: null, vendorCode: null, innerException: null)
    {
        QueryId = queryId;
        Status = status;
        TimedOut = timedOut;
    }

    internal LlmPollException(string message, string? queryId, string? status, bool timedOut, string? vendorMessage = null, string? vendorCode = null, Exception? innerException = null)
        : base(message, vendorMessage, vendorCode, innerException)
    {
        QueryId = queryId;
        Status = status;
        TimedOut = timedOut;
    }

    /// <summary>The task's id (the submit's <c>queryid</c> item), when known.</summary>
    public string? QueryId { get; }

    /// <summary>The last status the vendor reported.</summary>
    public string? Status { get; }

    /// <summary>True when the poll deadline (<c>poll_timeout</c>) passed; false when the task failed.</summary>
    public bool TimedOut { get; }
}
