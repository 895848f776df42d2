using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmAdapters.AI;

/// <summary>The <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over an <see cref="ILlmClient"/> (see <see cref="LlmEmbeddingGeneratorExtensions.AsIEmbeddingGenerator"/>).</summary>
internal sealed class LlmEmbeddingGenerator(ILlmClient client, string call, string? modelId, int? dimensions) : IEmbeddingGenerator<string, Embedding<float>>
{
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var inputs = values.ToArray();
        if (inputs.Length == 0)
        {
            return [];
        }

        var request = ToRequest(inputs, options);
        var response = await client.CallAsync(request, cancellationToken).ConfigureAwait(false);
        var model = response.Fields.TryGetValue("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : request.Model ?? DefaultModel;
        var embeddings = new List<Embedding<float>>(response.Embeddings.Count);
        foreach (var vector in response.Embeddings)
        {
            embeddings.Add(new Embedding<float>(vector) { ModelId = model });
        }

        return new GeneratedEmbeddings<Embedding<float>>(embeddings)
        {
            Usage = response.Usage is { } usage ? new UsageDetails { InputTokenCount = usage.InputTokens, OutputTokenCount = usage.OutputTokens, TotalTokenCount = usage.TotalTokens } : null,
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            var info = client as ILlmClientCapabilities;
            return new EmbeddingGeneratorMetadata(info?.ProviderName ?? "llmadapters", info?.BaseUri, DefaultModel, dimensions);
        }

        return serviceType.IsInstanceOfType(this) ? this : serviceType.IsInstanceOfType(client) ? client : null;
    }

    public void Dispose()
    {
        // The wrapped client owns nothing that needs disposing.
    }

    private string? DefaultModel => modelId ?? (client as ILlmClientCapabilities)?.DefaultModel;

    private LlmRequest ToRequest(string[] inputs, EmbeddingGenerationOptions? options)
    {
        var variables = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (options?.AdditionalProperties is { } extra)
        {
            foreach (var (name, value) in extra)
            {
                variables[name] = value;
            }
        }

        return new LlmRequest
        {
            Call = call,
            Inputs = inputs,
            Model = options?.ModelId ?? modelId,
            Dimensions = options?.Dimensions ?? dimensions,
            Variables = variables,
        };
    }
}
