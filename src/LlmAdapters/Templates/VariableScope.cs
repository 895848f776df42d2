using System.Text.Json;

namespace LlmAdapters.Templates;

/// <summary>The variables one call's templates are filled from, looked up in layers: request variables, standard request variables, then the profile's.</summary>
/// <remarks>
/// A JSON null counts as no value, so <c>${var?}</c> omits the item and <c>${var:-x}</c> uses its default.
/// One per call attempt and used by it alone: <see cref="AddSecret"/> changes it, so it is not thread-safe.
/// </remarks>
internal sealed class VariableScope
{
    private readonly IReadOnlyDictionary<string, JsonElement>?[] _layers;

    public VariableScope(Internal.SecretRedactor redactor, params IReadOnlyDictionary<string, JsonElement>?[] layers)
    {
        Redactor = redactor;
        _layers = layers;
    }

    /// <summary>Masks the secrets of this call (the profile's, the request's own, and what converters made of them) in any message built from variable values.</summary>
    public Internal.SecretRedactor Redactor { get; private set; }

    /// <summary>The profile's <see cref="LlmProfile.SecretVariables"/>: names of secrets beyond those named like one.</summary>
    public IReadOnlyCollection<string>? SecretNames { get; init; }

    /// <summary>True when the variable <paramref name="name"/> holds a secret (named like one, or listed in the profile's SecretVariables).</summary>
    public bool IsSecretVariable(string name) => Internal.SecretRedactor.IsSecretName(name, SecretNames);

    /// <summary>Makes <paramref name="value"/> (a value built from a secret, such as its Base64) a secret of this call.</summary>
    public void AddSecret(string value)
    {
        if (value.Length >= Internal.SecretRedactor.MinimumSecretLength && !Redactor.Contains(value))
        {
            Redactor = Redactor.With([value]);
        }
    }

    public bool TryGet(string name, out JsonElement value)
    {
        foreach (var layer in _layers)
        {
            if (layer is not null && layer.TryGetValue(name, out value))
            {
                return value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);
            }
        }

        value = default;
        return false;
    }

    /// <summary>
    /// Writes a variable straight into <paramref name="writer"/> when the request's standard variables are where it is
    /// found (the messages of a chat, its model): no JSON value is built for it first. False when another layer has it
    /// or no layer does; <see cref="TryGet"/> then says which.
    /// </summary>
    public bool TryWrite(string name, Utf8JsonWriter writer) => StandardLayerFor(name)?.TryWrite(name, writer) ?? false;

    /// <summary>
    /// <see cref="TryWrite"/> for the request's own <c>messages</c>, only when none of them carries an image (the case
    /// in which <c>openai_messages</c> leaves them unchanged).
    /// </summary>
    public bool TryWriteMessagesWithoutImages(Utf8JsonWriter writer) => StandardLayerFor("messages")?.TryWriteMessagesWithoutImages(writer) ?? false;

    /// <summary>The request's standard variables when no layer before them has <paramref name="name"/>; else null.</summary>
    private StandardVariables.Lazy? StandardLayerFor(string name)
    {
        foreach (var layer in _layers)
        {
            if (layer is StandardVariables.Lazy standard)
            {
                return standard;
            }

            if (layer is not null && layer.ContainsKey(name))
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>A scope that looks in <paramref name="extra"/> first, then in this scope (used for the query request of an async call).</summary>
    public VariableScope With(IReadOnlyDictionary<string, JsonElement> extra)
    {
        var layers = new IReadOnlyDictionary<string, JsonElement>?[_layers.Length + 1];
        layers[0] = extra;
        _layers.CopyTo(layers, 1);
        return new VariableScope(Redactor, layers) { SecretNames = SecretNames };
    }
}
