using LlmAdapters;
using Microsoft.Extensions.Options;

namespace Gateway;

/// <summary>What the loaded adapters offer: whether one has a call, and which variables and inputs its <c>chat</c> call takes (to know which OpenAI parameters it can honour).</summary>
/// <remarks>The catalog is built once, like the library's own: the built-in adapters (unless turned off) and <c>LlmAdapters:AdapterPaths</c>.</remarks>
internal sealed class AdapterCalls(IOptionsMonitor<LlmAdaptersOptions> options)
{
    private readonly Lazy<LlmCatalog> _catalog = new(() =>
    {
        var current = options.CurrentValue;
        var builder = new LlmCatalogBuilder().SkipInvalidFiles(current.SkipInvalidAdapters);
        if (current.IncludeBuiltInAdapters)
        {
            builder.AddBuiltInAdapters();
        }

        foreach (var path in current.AdapterPaths)
        {
            builder.AddPath(path);
        }

        return builder.Build();
    });

    public bool HasCall(string adapter, string call) => _catalog.Value.Contains(adapter) && _catalog.Value.GetCalls(adapter).Contains(call);

    /// <summary>The adapter's <c>chat</c> call: the variables it reads and its inputs (<c>tools</c>, <c>tool_choice</c>, <c>response_format</c> when it takes them); null for an unknown adapter or one without a chat call.</summary>
    public LlmCallInfo? Chat(string adapter)
        => _catalog.Value.Contains(adapter) ? _catalog.Value.Describe(adapter).FirstOrDefault(c => c.Name == "chat") : null;
}
