using Gateway;
using NUnit.Framework;

namespace LlmAdapters.Samples.Tests.Gateway;

/// <summary>Error messages lose the library's internals (definition files, lines, JSON paths) and keep the rest.</summary>
public sealed class OpenAiErrorTests
{
    [TestCase(
        "The vendor answered 500 Internal Server Error to call 'chat' of adapter 'openai' ((built-in) openai.json, line 5) for profile 'p': upstream exploded",
        "The vendor answered 500 Internal Server Error to call 'chat' of adapter 'openai' for profile 'p': upstream exploded")]
    [TestCase(
        "The converter 'float' could not convert the value of data 'top_p' of call 'chat' in adapters/openai.json at $.chat.data[4]: not a number.",
        "The converter 'float' could not convert the value of data 'top_p' of call 'chat': not a number.")]
    [TestCase("Check the call in my-adapters/acme.json, line 7.", "Check the call.")]
    [TestCase("Bad template (acme.json:12).", "Bad template.")]
    [TestCase("Incorrect API key provided.", "Incorrect API key provided.")]
    public void Clean_RemovesDefinitionSites_AndKeepsTheRest(string message, string expected)
        => Assert.That(OpenAiError.Clean(message), Is.EqualTo(expected));
}
