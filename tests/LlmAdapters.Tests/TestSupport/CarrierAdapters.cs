namespace LlmAdapters.Tests.TestSupport;

/// <summary>A definition whose calls carry the key in each place a vendor takes one: a header, the query, the body, and a Base64 header built by a converter.</summary>
internal static class CarrierAdapters
{
    public const string Json = """
        {
          "name": "carriers",
          "header": { "path": "/x", "method": "POST", "apitype": "sync",
            "headers": [ { "name": "x-api-key", "value": "${apikey}" } ],
            "data": [ { "name": "q", "value": "${prompt}" } ],
            "resp": [ { "name": "content", "value": "text" } ], "error": { "message": "error.message" } },
          "query": { "path": "/x", "method": "POST", "apitype": "sync",
            "params": [ { "name": "key", "value": "${apikey}" } ],
            "data": [ { "name": "q", "value": "${prompt}" } ],
            "resp": [ { "name": "content", "value": "text" } ], "error": { "message": "error.message" } },
          "body": { "path": "/x", "method": "POST", "apitype": "sync",
            "data": [ { "name": "api_key", "value": "${apikey}" }, { "name": "q", "value": "${prompt}" } ],
            "resp": [ { "name": "content", "value": "text" } ], "error": { "message": "error.message" } },
          "basic": { "path": "/x", "method": "POST", "apitype": "sync",
            "headers": [ { "name": "x-basic", "value": "${user:-me}:${apikey}", "converter": "base64" } ],
            "data": [ { "name": "q", "value": "${prompt}" } ],
            "resp": [ { "name": "content", "value": "text" } ], "error": { "message": "error.message" } }
        }
        """;

    /// <summary>Writes <see cref="Json"/> to a fresh folder and returns the folder, for AddAdapterPath.</summary>
    public static string WriteToTempFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "llm-carriers-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "carriers.json"), Json);
        return folder;
    }
}
