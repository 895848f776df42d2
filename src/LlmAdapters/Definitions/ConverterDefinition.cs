using System.Text.Json;

namespace LlmAdapters.Definitions;

/// <summary>
/// A converter declared in a definition file's <c>converters</c> section, as read: it maps each object (or each element of
/// an array) to a new object whose keys are <see cref="Fields"/>' names and whose values are found by their key paths,
/// optionally replaced through <see cref="Values"/>.
/// </summary>
/// <param name="Name">The name items of the same file use in <c>"converter"</c>.</param>
/// <param name="Fields">Output key → key path into the input object, in file order.</param>
/// <param name="Values">Output key → (the found value's text → the value written instead).</param>
/// <param name="Location">Where the converter is declared.</param>
internal sealed record ConverterDefinition(
    string Name,
    IReadOnlyList<KeyValuePair<string, string>> Fields,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, JsonElement>> Values,
    SourceLocation Location);
