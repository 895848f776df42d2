using System.Text.Json;

namespace LlmAdapters.Conversion;

/// <summary>A converter that takes an argument from its item's <c>args</c> key (such as <c>join</c>'s separator).</summary>
internal interface IConverterWithArgs
{
    /// <summary>The converter bound to <paramref name="args"/>; false with a sentence for the definition error when they do not fit.</summary>
    bool TryBind(JsonElement args, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ILlmConverter? bound, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error);
}
