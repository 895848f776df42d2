using System.Text.Encodings.Web;
using System.Text.Json;

namespace LlmAdapters.Cli.Output;

/// <summary>The JSON options of the tool's output: indented, with non-ASCII text written as is.</summary>
internal static class JsonDefaults
{
    public static JsonSerializerOptions Indented { get; } = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
