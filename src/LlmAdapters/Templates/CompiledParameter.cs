using System.Text.Json;

namespace LlmAdapters.Templates;

/// <summary>A compiled <c>{name, value, converter}</c> item of headers, params or data.</summary>
internal sealed class CompiledParameter(string name, Template value, ILlmConverter? converter, TemplateSite site)
{
    public string Name { get; } = name;

    public Template Value { get; } = value;

    public ILlmConverter? Converter { get; } = converter;

    public TemplateSite Site { get; } = site;

    public bool IsPresent(VariableScope scope) => Value.IsPresent(scope);

    /// <summary>Adds the variable names of <paramref name="items"/>' values to <paramref name="names"/>, in order: all, or only the required ones (a loop, as in Template.NamesOf, so that a cold load compiles no lambda).</summary>
    public static void AddNames(List<string> names, IReadOnlyList<CompiledParameter> items, bool requiredOnly)
    {
        for (var i = 0; i < items.Count; i++)
        {
            names.AddRange(requiredOnly ? items[i].Value.RequiredVariableNames : items[i].Value.VariableNames);
        }
    }

    public JsonElement Evaluate(VariableScope scope) => Converter is null ? Value.Evaluate(scope) : Convert(Value.Evaluate(scope), scope);

    public void Write(Utf8JsonWriter writer, VariableScope scope)
    {
        if (Converter is null)
        {
            Value.Write(writer, scope);
        }
        else if (Value is VariableTemplate { Name: "messages" } && Conversion.VendorConverters.LeavesMessagesWithoutImagesUnchanged(Converter) && scope.TryWriteMessagesWithoutImages(writer))
        {
            // The converter would have returned these messages unchanged: they went straight from the request to the body.
        }
        else
        {
            Convert(Value.Evaluate(scope), scope).WriteTo(writer);
        }
    }

    public string GetText(VariableScope scope, Func<string, string>? escape = null)
    {
        if (Converter is null)
        {
            return Value.GetText(scope, escape);
        }

        var text = Internal.JsonValues.ToText(Convert(Value.Evaluate(scope), scope));
        return escape is null ? text : escape(text);
    }

    private JsonElement Convert(JsonElement input, VariableScope scope)
    {
        JsonElement output;
        try
        {
            output = Converter!.Convert(input);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException or JsonException or OverflowException)
        {
            // The converter's exception may quote the secret it failed on: a stand-in with its message redacted is chained, never it.
            throw new LlmRequestException(scope.Redactor.Redact($"The converter '{Converter!.Name}' could not convert the value of {Site}: {e.Message}."), Internal.RedactedException.From(e, scope.Redactor));
        }

        if (output.ValueKind == JsonValueKind.String && ReadsSecret(scope))
        {
            // What a converter made of a secret (its Base64, a Basic credential) is as secret as the key: the vendor may echo it.
            scope.AddSecret(output.GetString()!);
        }

        return output;
    }

    /// <summary>Whether this item's value is built from a secret: a variable named like one, listed in the profile's SecretVariables, or holding a known secret.</summary>
    private bool ReadsSecret(VariableScope scope)
    {
        foreach (var name in Value.VariableNames)
        {
            if (scope.IsSecretVariable(name) || (scope.TryGet(name, out var value) && value.ValueKind == JsonValueKind.String && scope.Redactor.Contains(value.GetString()!)))
            {
                return true;
            }
        }

        return false;
    }
}
