namespace LlmAdapters;

/// <summary>Runs the calls of one adapter for one profile.</summary>
/// <remarks>
/// Implementations are thread-safe: one client may serve many concurrent calls. A client does not own anything that needs
/// disposing; its <see cref="HttpClient"/> belongs to whoever gave it (or to IHttpClientFactory).
/// </remarks>
public interface ILlmClient
{
    /// <summary>Runs a call and returns the whole result.</summary>
    /// <exception cref="LlmRequestException">The request cannot be built: unknown call, missing variable, unsupported input.</exception>
    /// <exception cref="LlmHttpException">The vendor answered with an error.</exception>
    /// <exception cref="LlmTimeoutException">The call took longer than the profile's timeout.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<LlmResponse> CallAsync(LlmRequest request, CancellationToken cancellationToken = default);

    /// <summary>Runs a call and yields its text as it arrives. A sync call yields its whole text once.</summary>
    /// <remarks>Breaking out of the enumeration early releases the connection.</remarks>
    IAsyncEnumerable<string> StreamAsync(LlmRequest request, CancellationToken cancellationToken = default);
}
