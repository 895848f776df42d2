using System.Text.Json;
using LlmAdapters.Internal;

namespace LlmAdapters.Templates;

/// <summary>The standard variables of an embedding request: <c>input</c> (<see cref="LlmRequest.Inputs"/> as a JSON array of strings) and <c>dimensions</c>.</summary>
internal static class EmbeddingVariables
{
    /// <summary>The variable names, which a profile need not set.</summary>
    public static IReadOnlyList<string> Names { get; } = ["input", "dimensions"];

    /// <summary>The variables of <paramref name="request"/>; null when it has neither inputs nor dimensions (the usual chat request pays nothing).</summary>
    public static Dictionary<string, JsonElement>? From(LlmRequest request)
    {
        if (request.Inputs.Count == 0 && request.Dimensions is null)
        {
            return null;
        }

        var vars = new Dictionary<string, JsonElement>(2, StringComparer.Ordinal);
        if (request.Inputs.Count > 0)
        {
            vars["input"] = JsonValues.Write(request.Inputs, static (w, inputs) =>
            {
                w.WriteStartArray();
                foreach (var text in inputs)
                {
                    w.WriteStringValue(text);
                }

                w.WriteEndArray();
            });
        }

        if (request.Dimensions is { } dimensions)
        {
            vars["dimensions"] = JsonValues.Number(dimensions);
        }

        return vars;
    }
}
