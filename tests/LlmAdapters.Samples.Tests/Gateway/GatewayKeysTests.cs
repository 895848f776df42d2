using Gateway;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using NUnit.Framework;

namespace LlmAdapters.Samples.Tests.Gateway;

/// <summary>Client keys are kept between requests, and taken again from a configuration that reloads.</summary>
public sealed class GatewayKeysTests
{
    [Test]
    public void AReloadedConfiguration_AppliesAtOnce()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Gateway:ApiKeys:0"] = "old-key" }).Build();
        using var keys = new GatewayKeys(configuration);
        var before = (Old: keys.IsAuthorized(Bearer("old-key")), New: keys.IsAuthorized(Bearer("new-key")));

        configuration["Gateway:ApiKeys:0"] = "new-key";
        configuration.Reload();

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.EqualTo((true, false)));
            Assert.That(keys.IsAuthorized(Bearer("old-key")), Is.False);
            Assert.That(keys.IsAuthorized(Bearer("new-key")), Is.True);
            Assert.That(keys.IsAuthorized(new DefaultHttpContext()), Is.False, "no Authorization header");
        });
    }

    [Test]
    public void NoKeyConfigured_LetsEveryoneIn()
    {
        using var keys = new GatewayKeys(new ConfigurationBuilder().Build());

        Assert.That(keys.IsAuthorized(new DefaultHttpContext()), Is.True);
    }

    private static DefaultHttpContext Bearer(string key)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = "Bearer " + key;
        return context;
    }
}
