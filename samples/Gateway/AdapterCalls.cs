using System.Collections.Concurrent;
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

    private readonly ConcurrentDictionary<string, LlmCallInfo?> _chat = new(StringComparer.Ordinal);

    public bool HasCall(string adapter, string call) => _catalog.Value.Contains(adapter) && _catalog.Value.GetCalls(adapter).Contains(call);

    /// <summary>The adapter's <c>chat</c> call: the variables it reads and its inputs (<c>tools</c>, <c>tool_choice</c>, <c>response_format</c> when it takes them); null for an unknown adapter or one without a chat call.</summary>
    /// <remarks>Looked up once per adapter (the catalog never changes): describing a call builds its variable lists, which showed in the profile of every request.</remarks>
    public LlmCallInfo? Chat(string adapter)
        => _chat.GetOrAdd(adapter, static (name, catalog) => catalog.Value.Contains(name) ? catalog.Value.Describe(name).FirstOrDefault(c => c.Name == "chat") : null, _catalog);
}
