namespace ChatBotPlugin;

/// <summary>The plugin's three settings, as a chat bot's <c>/cfg LLM_API.url ...</c> commands would set them.</summary>
/// <remarks>Read on every event, so a changed setting is used by the next event without reloading the plugin.</remarks>
public sealed class ChatBotSettings
{
    /// <summary>The vendor's OpenAI-compatible base URL, such as https://api.moonshot.cn/v1.</summary>
    public string? Url { get; set; }

    /// <summary>The API key.</summary>
    public string? Api { get; set; }

    /// <summary>The model name, such as moonshot-v1-8k.</summary>
    public string? Model { get; set; }

    /// <summary>Reads CHATBOT_URL, CHATBOT_API and CHATBOT_MODEL.</summary>
    public static ChatBotSettings FromEnvironment() => new()
    {
        Url = Environment.GetEnvironmentVariable("CHATBOT_URL"),
        Api = Environment.GetEnvironmentVariable("CHATBOT_API"),
        Model = Environment.GetEnvironmentVariable("CHATBOT_MODEL"),
    };

    /// <summary>True when none of the three is set: the sample then talks to its loopback demo server.</summary>
    public bool IsEmpty => string.IsNullOrWhiteSpace(Url) && string.IsNullOrWhiteSpace(Api) && string.IsNullOrWhiteSpace(Model);
}
