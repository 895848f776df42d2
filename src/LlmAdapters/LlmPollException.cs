namespace LlmAdapters;

/// <summary>An async call's task failed, or did not finish before the call's poll deadline.</summary>
/// <remarks>
/// <see cref="QueryId"/> identifies the task: when the deadline passed, the task may still finish, and
/// <c>new LlmRequest { Call = ..., QueryId = e.QueryId }</c> waits for it again without submitting a second (paid) job.
/// </remarks>
public sealed class LlmPollException : LlmException
{
    /// <summary>Creates the exception.</summary>
    public LlmPollException(string message, string? queryId, string? status, bool timedOut, string? vendorMessage = null, string? vendorCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        QueryId = queryId;
        Status = status;
        TimedOut = timedOut;
        VendorMessage = vendorMessage;
        VendorCode = vendorCode;
    }

    /// <summary>The task's id (the submit's <c>queryid</c> item), when known.</summary>
    public string? QueryId { get; }

    /// <summary>The last status the vendor reported.</summary>
    public string? Status { get; }

    /// <summary>True when the poll deadline (<c>poll_timeout</c>) passed; false when the task failed.</summary>
    public bool TimedOut { get; }

    /// <summary>The vendor's failure message (<c>query_error</c>), when it gave one.</summary>
    public string? VendorMessage { get; }

    /// <summary>The vendor's failure code, when it gave one.</summary>
    public string? VendorCode { get; }
}
