using System.Text.Encodings.Web;
using System.Text.Json;
using LlmAdapters;

namespace ChatBotPlugin;

/// <summary>
/// The chat bot's LLM_API plugin: its "call an LLM" event (<c>LLM_API.main</c>): takes <c>{history, max_tokens, temperature}</c>, calls the
/// OpenAI-compatible vendor named by the three settings, and returns <c>{text, status, error}</c>.
/// </summary>
/// <remarks>
/// Never throws for a failed call: status 200 is success; 501 means a setting is missing; otherwise the status is the
/// vendor's (401, 429, 500, ...) and <c>error</c> holds the vendor's own message — or 502 when the vendor could not be
/// reached or its stream broke, 504 on a timeout, 400 for an event the handler cannot read. Thread-safe. Does not
/// dispose an <see cref="HttpClient"/> it was given.
/// </remarks>
public sealed class LlmApiPlugin : IDisposable
{
    /// <summary>The event name other plugins publish to ask for an answer.</summary>
    public const string EventName = "LLM_API.main";

    private static readonly LlmEventJsonContext Json = new(new JsonSerializerOptions
    {
        // Keep Chinese text readable in the printed JSON.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    });

    private readonly ChatBotSettings _settings;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <summary>Creates a handler reading <paramref name="settings"/> on every event.</summary>
    public LlmApiPlugin(ChatBotSettings settings, HttpClient? httpClient = null)
    {
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _ownsHttp = httpClient is null;
        _http = httpClient ?? new HttpClient { Timeout = Timeout.InfiniteTimeSpan };   // the profile's Timeout bounds each call
    }

    /// <summary>The test command (<c>/tllma</c>): a fixed system and user prompt.</summary>
    public static LlmEventData TestEvent { get; } = new(
        [new("system", "你是一个友好的聊天机器人，回答简短。"), new("user", "你好，请介绍一下你自己。")],
        MaxTokens: 4096,
        Temperature: 0.7);

    /// <summary>Handles one event.</summary>
    public async Task<LlmEventResult> HandleAsync(LlmEventData data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var missing = new[] { ("url", _settings.Url), ("api", _settings.Api), ("model", _settings.Model) }
            .Where(s => string.IsNullOrWhiteSpace(s.Item2))
            .Select(s => s.Item1)
            .ToList();
        if (missing.Count > 0)
        {
            return new LlmEventResult("", 501, $"配置项错误 (configuration error): set {string.Join(", ", missing)} — for example /cfg LLM_API.{missing[0]} <value>.");
        }

        if (data.History is null || data.History.Count == 0)
        {
            return new LlmEventResult("", 400, "The event has no history: send at least one {\"role\": \"user\", \"content\": \"...\"}.");
        }

        var profile = new LlmProfile
        {
            Adapter = "openai",
            BaseUrl = _settings.Url!.Trim(),
            Variables = { ["apikey"] = _settings.Api!.Trim(), ["model"] = _settings.Model!.Trim() },
        };
        var request = new LlmRequest
        {
            Messages = [.. data.History.Select(m => new LlmMessage(m.Role, m.Content ?? ""))],
            MaxTokens = data.MaxTokens,
            Temperature = data.Temperature,
        };

        try
        {
            var client = LlmCatalog.BuiltIn.CreateClient(profile, _http);
            var response = await client.CallAsync(request, cancellationToken);
            return new LlmEventResult(response.Text, 200, "");
        }
        catch (LlmConfigurationException e)
        {
            return new LlmEventResult("", 501, $"配置项错误 (configuration error): {e.Message}");
        }
        catch (LlmHttpException e)
        {
            return new LlmEventResult("", e.StatusCode == 0 ? 502 : e.StatusCode, e.VendorMessage ?? e.Message);
        }
        catch (LlmRateLimitedException e)
        {
            return new LlmEventResult("", 429, e.Message);
        }
        catch (LlmStreamException e)
        {
            return new LlmEventResult(e.ReceivedText, 502, e.VendorMessage ?? e.Message);
        }
        catch (LlmTimeoutException e)
        {
            return new LlmEventResult("", 504, e.Message);
        }
        catch (LlmRequestException e)
        {
            return new LlmEventResult("", 400, e.Message);
        }
        catch (LlmException e)
        {
            return new LlmEventResult("", 502, e.Message);
        }
    }

    /// <summary>Handles an event whose data is JSON text, and returns the result as JSON text.</summary>
    public async Task<string> HandleJsonAsync(string eventData, CancellationToken cancellationToken = default)
    {
        LlmEventData? data;
        try
        {
            data = JsonSerializer.Deserialize(eventData, Json.LlmEventData);
        }
        catch (JsonException e)
        {
            return ToJson(new LlmEventResult("", 400, $"The event data is not valid JSON: {e.Message}"));
        }

        return ToJson(data is null
            ? new LlmEventResult("", 400, "The event data is null; send {\"history\": [...]}.")
            : await HandleAsync(data, cancellationToken));
    }

    /// <summary>The result as <c>{"text","status","error"}</c> JSON.</summary>
    public static string ToJson(LlmEventResult result) => JsonSerializer.Serialize(result, Json.LlmEventResult);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }
}
