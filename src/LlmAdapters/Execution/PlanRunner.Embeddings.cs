using System.Text.Json;
using LlmAdapters.Compilation;

namespace LlmAdapters.Execution;

internal sealed partial class PlanRunner
{
    /// <summary>
    /// Runs an embedding call: <see cref="LlmRequest.Inputs"/> in batches of the call's <c>max_inputs</c> (one sync call
    /// each, in order, each retried by the profile's policy), the vectors joined in input order.
    /// </summary>
    /// <exception cref="LlmException">A response has more or fewer vectors than its batch had inputs.</exception>
    public async Task<LlmResponse> CallEmbeddingsAsync(CallPlan call, LlmRequest request, CancellationToken cancellationToken)
    {
        var inputs = request.Inputs;
        var size = call.MaxInputs ?? int.MaxValue;
        if (inputs.Count <= size)
        {
            var single = await CallSyncAsync(call, request, cancellationToken).ConfigureAwait(false);
            CheckCount(call, single, inputs.Count, 0, inputs.Count);
            return single;
        }

        var vectors = new List<ReadOnlyMemory<float>>(inputs.Count);
        LlmResponse? last = null;
        long? input = null, output = null, total = null;
        for (var offset = 0; offset < inputs.Count; offset += size)
        {
            var count = Math.Min(size, inputs.Count - offset);
            var batch = new string[count];
            for (var i = 0; i < count; i++)
            {
                batch[i] = inputs[offset + i];
            }

            last = await CallSyncAsync(call, request.WithInputs(batch), cancellationToken).ConfigureAwait(false);
            CheckCount(call, last, count, offset, inputs.Count);
            vectors.AddRange(last.Embeddings);
            if (last.Usage is { } usage)
            {
                input = Add(input, usage.InputTokens);
                output = Add(output, usage.OutputTokens);
                total = Add(total, usage.TotalTokens);
            }
        }

        var sum = input is null && output is null && total is null ? null : new LlmUsage(input, output, total);
        return new LlmResponse(last!.Text, last.Fields, last.StatusCode, sum, last.FinishReason) { Embeddings = vectors };
    }

    private static long? Add(long? sum, long? value) => value is null ? sum : (sum ?? 0) + value;

    private static void CheckCount(CallPlan call, LlmResponse response, int sent, int offset, int all)
    {
        if (response.Embeddings.Count != sent && sent > 0)
        {
            var batch = sent == all ? string.Empty : $" (inputs {offset + 1} to {offset + sent} of {all})";
            throw new LlmException($"The response to {call.DisplayName} has {response.Embeddings.Count} embeddings for {sent} inputs{batch}, so they cannot be matched to the inputs.");
        }
    }

    /// <summary>The vectors of an embedding call's body, read by the call's <see cref="Mapping.EmbeddingReader"/>, added to its mapped response.</summary>
    /// <exception cref="LlmException">The body has no list of vectors at the path, or a vector is not a list of numbers.</exception>
    private LlmResponse WithEmbeddings(CallPlan call, LlmResponse mapped, byte[] body, HttpResponseMessage response)
    {
        ReadOnlyMemory<float>[] vectors;
        try
        {
            vectors = call.Embeddings!.Read(body);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            var text = System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, HttpErrors.ExcerptChars)));
            throw new LlmException(RedactorOf(response).Redact(
                $"The response to {call.DisplayName} has no embeddings that can be read: {e.Message.Split(" Path:")[0].TrimEnd('.')}. " +
                $"Response: {text}{(body.Length > HttpErrors.ExcerptChars ? "…" : string.Empty)}"));
        }

        return new LlmResponse(mapped, mapped.Profile) { Embeddings = vectors };
    }
}
