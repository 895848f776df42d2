namespace LlmAdapters;

/// <summary>Runs the calls of one adapter for one profile.</summary>
/// <remarks>
/// Implementations are thread-safe: one client may serve many concurrent calls. A client does not own anything that needs
/// disposing; its <see cref="HttpClient"/> belongs to whoever gave it (or to IHttpClientFactory).
/// </remarks>
public interface ILlmClient
{
    /// <summary>Runs a call and returns the whole result. For a stream call: the whole text, and each field's last non-null value.</summary>
    /// <exception cref="LlmRequestException">The request cannot be built: unknown call, missing variable, unsupported input.</exception>
    /// <exception cref="LlmHttpException">The vendor answered with an error.</exception>
    /// <exception cref="LlmTimeoutException">The call took longer than the profile's timeout.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<LlmResponse> CallAsync(LlmRequest request, CancellationToken cancellationToken = default);

    /// <summary>Runs a call and yields its text as it arrives: each piece as soon as its chunk is complete. A sync call yields its whole text once.</summary>
    /// <remarks>Breaking out of the enumeration early releases the connection. A failure after the stream started is an <see cref="LlmStreamException"/> carrying the text received so far.</remarks>
    IAsyncEnumerable<string> StreamAsync(LlmRequest request, CancellationToken cancellationToken = default);

    /// <summary>Runs a call and yields one update per chunk: its text piece and its mapped fields (usage, finish reason, ids). A sync call yields one update.</summary>
    /// <remarks>Slower than <see cref="StreamAsync"/> (each update copies its fields); use it when you need the metadata as it arrives.</remarks>
    IAsyncEnumerable<LlmStreamUpdate> StreamUpdatesAsync(LlmRequest request, CancellationToken cancellationToken = default);
}
