using LlmAdapters.AI;
using Microsoft.Extensions.AI;

namespace LlmAdapters;

/// <summary>Uses an <see cref="ILlmClient"/> as a Microsoft.Extensions.AI <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>.</summary>
public static class LlmEmbeddingGeneratorExtensions
{
    /// <summary>An <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of strings to <see cref="Embedding{T}"/> of <see cref="float"/> that runs the embedding call <paramref name="call"/> of this client's adapter.</summary>
    /// <remarks>
    /// The values go in <see cref="LlmRequest.Inputs"/> (in batches of the call's <c>max_inputs</c>), and the vectors come back
    /// in order, each with the model id the vendor reports (else the request's or the profile's).
    /// <see cref="EmbeddingGenerationOptions"/> map to the request: <c>ModelId</c> → model, <c>Dimensions</c> →
    /// <see cref="LlmRequest.Dimensions"/> (a call that has no place for it raises <see cref="LlmRequestException"/> before
    /// sending), <c>AdditionalProperties</c> → variables of the same names. Usage is reported when the vendor gives it.
    /// <see cref="EmbeddingGeneratorMetadata"/> names the adapter, the base URL, the model (<paramref name="modelId"/>, else the
    /// profile's) and <paramref name="dimensions"/>. The generator is thread-safe and owns nothing;
    /// disposing it does nothing. An empty list of values sends nothing and gives no embeddings.
    /// </remarks>
    /// <param name="client">The client to wrap.</param>
    /// <param name="call">The embedding call to run; <c>embeddings</c> by default.</param>
    /// <param name="modelId">The model to ask for when the options name none; null for the profile's <c>model</c>.</param>
    /// <param name="dimensions">The dimensions to ask for when the options give none; null to leave them to the vendor (and the request without <c>dimensions</c>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is null.</exception>
    public static IEmbeddingGenerator<string, Embedding<float>> AsIEmbeddingGenerator(this ILlmClient client, string call = "embeddings", string? modelId = null, int? dimensions = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(call);
        return new LlmEmbeddingGenerator(client, call, modelId, dimensions);
    }
}
