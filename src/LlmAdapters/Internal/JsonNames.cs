using System.Text.Json;

namespace LlmAdapters.Internal;

/// <summary>
/// Property names of a vendor's JSON compared as the key paths look them up. A name that is not text (an escaped half of
/// a surrogate pair: valid JSON, which the reader accepts but cannot unescape) is no name a path names, so it matches
/// none, as an unknown key does, and the rest of its object is read as usual. Without this, comparing it threw the
/// reader's InvalidOperationException out of a call. (A value that is not text, names inside it included, is still an
/// error where it is read: see <see cref="JsonValues.IsText(JsonElement)"/>.)
/// </summary>
internal static class JsonNames
{
    /// <summary>Whether the reader's current property name is <paramref name="name"/> (UTF-8, unescaped); false for a name that is not text.</summary>
    public static bool Equal(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            return reader.ValueSpan.SequenceEqual(name);
        }

        try
        {
            return reader.ValueTextEquals(name);
        }
        catch (InvalidOperationException)
        {
            return false; // not text: no name a path looks for
        }
    }

    /// <summary>
    /// <see cref="JsonElement.TryGetProperty(ReadOnlySpan{byte}, out JsonElement)"/> on an object that may hold a name that
    /// is not text: the last property of the name, as that method finds it.
    /// </summary>
    public static bool TryGetProperty(JsonElement obj, ReadOnlySpan<byte> name, out JsonElement value)
    {
        try
        {
            return obj.TryGetProperty(name, out value);
        }
        catch (InvalidOperationException)
        {
            // A name that is not text stopped the lookup: every property is looked at instead, the last of the name kept.
            var found = false;
            value = default;
            foreach (var property in obj.EnumerateObject())
            {
                if (NameIs(property, name))
                {
                    (value, found) = (property.Value, true);
                }
            }

            return found;
        }
    }

    /// <inheritdoc cref="TryGetProperty(JsonElement, ReadOnlySpan{byte}, out JsonElement)"/>
    public static bool TryGetProperty(JsonElement obj, string name, out JsonElement value)
        => TryGetProperty(obj, System.Text.Encoding.UTF8.GetBytes(name), out value);

    private static bool NameIs(JsonProperty property, ReadOnlySpan<byte> name)
    {
        try
        {
            return property.NameEquals(name);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
