using System.Runtime.CompilerServices;
using LlmAdapters.Observability;
using Microsoft.Extensions.Logging;

namespace LlmAdapters.Reliability;

/// <summary>A profile's client that, when a call fails with a retryable error, tries the profile's fallback profiles in order (any adapter).</summary>
/// <remarks>
/// Retryable: network errors, 408, 429, 5xx, every key resting, timeouts. A stream falls back only before its first piece;
/// after that its failure is the caller's, with the text received so far. <see cref="LlmResponse.Profile"/> says who answered.
/// </remarks>
internal sealed class FallbackClient(string profile, IReadOnlyList<string> chain, Func<string, ILlmClient> create, ILogger logger) : ILlmClient, ILlmClientCapabilities
{
    /// <inheritdoc/>
    /// <remarks>
    /// Async only when every profile of the chain runs the call as async: a background response handed to a sync profile
    /// would wait for a poll that never comes. When the profiles differ, null: the bridge then makes plain calls, which every
    /// apitype answers.
    /// </remarks>
    public LlmApiType? ApiTypeOf(string call)
    {
        LlmApiType? shared = null;
        foreach (var name in chain)
        {
            if ((create(name) as ILlmClientCapabilities)?.ApiTypeOf(call) is not { } apiType || (shared is not null && shared != apiType))
            {
                return null;
            }

            shared = apiType;
        }

        return shared;
    }

    /// <inheritdoc/>
    public string ProviderName => Primary?.ProviderName ?? "llmadapters";

    /// <inheritdoc/>
    public Uri? BaseUri => Primary?.BaseUri;

    /// <inheritdoc/>
    public string? DefaultModel => Primary?.DefaultModel;

    public bool? Reads(string call, string variable)
    {
        // The request may be answered by any profile of the chain: an option has a place only if every one has it.
        bool? all = null;
        foreach (var name in chain)
        {
            if ((create(name) as ILlmClientCapabilities)?.Reads(call, variable) is not { } reads)
            {
                return null;
            }

            all = (all ?? true) && reads;
        }

        return all;
    }

    /// <summary>The first profile of the chain: the one that answers unless it fails.</summary>
    private ILlmClientCapabilities? Primary => create(chain[0]) as ILlmClientCapabilities;

    public async Task<LlmResponse> CallAsync(LlmRequest request, CancellationToken cancellationToken = default)
    {
        for (var i = 0; ; i++)
        {
            try
            {
                return await create(chain[i]).CallAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (i + 1 < chain.Count && ShouldFallBack(e, cancellationToken))
            {
                Log.FallingBack(logger, chain[i], request.Call, profile, Reason(e), chain[i + 1]);
            }
        }
    }

    public async IAsyncEnumerable<string> StreamAsync(LlmRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var piece in FallBackBeforeFirst(c => c.StreamAsync(request, cancellationToken), request, cancellationToken).ConfigureAwait(false))
        {
            yield return piece;
        }
    }

    public async IAsyncEnumerable<LlmStreamUpdate> StreamUpdatesAsync(LlmRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var update in FallBackBeforeFirst(c => c.StreamUpdatesAsync(request, cancellationToken), request, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    /// <summary>Streams from the first profile that starts; a failure before the first item moves to the next profile.</summary>
    private async IAsyncEnumerable<T> FallBackBeforeFirst<T>(Func<ILlmClient, IAsyncEnumerable<T>> open, LlmRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var i = 0; i < chain.Count; i++)
        {
            var enumerator = open(create(chain[i])).GetAsyncEnumerator(cancellationToken);
            try
            {
                bool first;
                try
                {
                    first = await enumerator.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (i + 1 < chain.Count && ShouldFallBack(e, cancellationToken))
                {
                    Log.FallingBack(logger, chain[i], request.Call, profile, Reason(e), chain[i + 1]);
                    continue;
                }

                if (!first)
                {
                    yield break;
                }

                yield return enumerator.Current;
                while (await enumerator.MoveNextAsync().ConfigureAwait(false))
                {
                    yield return enumerator.Current;
                }

                yield break;
            }
            finally
            {
                await enumerator.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static bool ShouldFallBack(Exception e, CancellationToken cancellationToken) => e switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        LlmHttpException http => http.StatusCode is 0 or 408 or 429 or >= 500 || http.ConnectionFailed,
        LlmRateLimitedException or LlmTimeoutException => true,
        _ => false,
    };

    private static string Reason(Exception e) => CallObservation.ErrorType(e);
}
