using System.Runtime.CompilerServices;

namespace LlmAdapters.Observability;

/// <summary>
/// The one observed enumeration loop's step: advances the engine's enumerator (stream chunks, poll events) and records a
/// failure on the call's observation before it propagates. The caller loops on <see cref="MoveNextAsync"/>, disposes,
/// and completes the observation when the loop ends.
/// </summary>
/// <remarks>Adds no iterator layer and allocates nothing while the enumerator completes synchronously (the usual chunk).</remarks>
internal readonly struct ObservedSteps<T>(IAsyncEnumerator<T> steps, CallObservation observation)
{
    public T Current => steps.Current;

    public ValueTask<bool> MoveNextAsync()
    {
        ValueTask<bool> next;
        try
        {
            next = steps.MoveNextAsync();
        }
        catch (Exception e)
        {
            observation.Fail(e);
            throw;
        }

        return next.IsCompletedSuccessfully ? next : AwaitAsync(next, observation);
    }

    public ValueTask DisposeAsync() => steps.DisposeAsync();

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<bool> AwaitAsync(ValueTask<bool> next, CallObservation observation)
    {
        try
        {
            return await next.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            observation.Fail(e);
            throw;
        }
    }
}
