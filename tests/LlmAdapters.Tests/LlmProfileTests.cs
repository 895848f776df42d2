using System.Collections;
using System.Reflection;

namespace LlmAdapters.Tests;

/// <summary><see cref="LlmProfile.Clone"/> and <see cref="LlmRetryOptions"/>' clone copy every property, deeply: a new property cannot be forgotten.</summary>
public sealed class LlmProfileTests
{
    [Test]
    public void Clone_CopiesEverySettableProperty()
    {
        var profile = new LlmProfile();
        FillEveryProperty(profile);

        var clone = profile.Clone();

        AssertCopied(profile, clone, nameof(LlmProfile));
    }

    [Test]
    public void RetryOptionsClone_CopiesEverySettableProperty()
    {
        var retry = new LlmRetryOptions();
        FillEveryProperty(retry);

        var clone = retry.Clone();

        AssertCopied(retry, clone, nameof(LlmRetryOptions));
    }

    [Test]
    public void Clone_IsIndependentOfTheOriginal()
    {
        var profile = new LlmProfile { Variables = { ["apikey"] = "a" }, ApiKeys = ["k1"], Retry = { StatusCodes = [500] } };

        var clone = profile.Clone();
        profile.Variables["apikey"] = "b";
        profile.ApiKeys.Add("k2");
        profile.Retry.StatusCodes.Add(503);

        Assert.Multiple(() =>
        {
            Assert.That(clone.Variables["apikey"], Is.EqualTo("a"));
            Assert.That(clone.ApiKeys, Is.EqualTo(new[] { "k1" }));
            Assert.That(clone.Retry.StatusCodes, Is.EqualTo(new[] { 500 }));
        });
    }

    private static IEnumerable<PropertyInfo> Settable(Type type)
        => type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0);

    /// <summary>Sets every settable property to a value that differs from the default of a new instance.</summary>
    private static void FillEveryProperty(object target)
    {
        var fresh = Activator.CreateInstance(target.GetType())!;
        foreach (var property in Settable(target.GetType()))
        {
            var value = NonDefault(property.PropertyType, property.GetValue(fresh), property.Name);
            property.SetValue(target, value);
            Assert.That(Same(property.GetValue(fresh), value), Is.False, $"the test value of {property.Name} must differ from its default");
        }
    }

    private static object NonDefault(Type type, object? current, string name)
    {
        if (type == typeof(string))
        {
            return "value-of-" + name;
        }

        if (type == typeof(int))
        {
            return (int)current! + 7;
        }

        if (type == typeof(long))
        {
            return (long)current! + 7;
        }

        if (type == typeof(double))
        {
            return (double)current! + 0.5;
        }

        if (type == typeof(bool))
        {
            return !(bool)current!;
        }

        if (type == typeof(TimeSpan))
        {
            return (TimeSpan)current! + TimeSpan.FromSeconds(7);
        }

        if (type == typeof(List<string>))
        {
            return new List<string> { "item-of-" + name };
        }

        if (type == typeof(List<int>))
        {
            return new List<int> { 599 };
        }

        if (type == typeof(Dictionary<string, string?>))
        {
            return new Dictionary<string, string?>(StringComparer.Ordinal) { ["key-of-" + name] = "value" };
        }

        if (type == typeof(List<Dictionary<string, string?>>))
        {
            return new List<Dictionary<string, string?>> { new(StringComparer.Ordinal) { ["apikey"] = "key-of-" + name } };
        }

        if (type == typeof(LlmRetryOptions))
        {
            var retry = new LlmRetryOptions();
            FillEveryProperty(retry);
            return retry;
        }

        Assert.Fail($"This test has no value for a property of type {type} ({name}); add one, and make sure Clone copies it.");
        return null!;
    }

    private static void AssertCopied(object original, object clone, string path)
    {
        foreach (var property in Settable(original.GetType()))
        {
            var expected = property.GetValue(original);
            var actual = property.GetValue(clone);
            var where = $"{path}.{property.Name}";
            if (expected is LlmRetryOptions)
            {
                Assert.That(actual, Is.Not.SameAs(expected), $"{where} is copied, not shared");
                AssertCopied(expected, actual!, where);
                continue;
            }

            Assert.That(Same(expected, actual), Is.True, $"{where} is not copied by Clone");
            if (expected is IEnumerable and not string)
            {
                Assert.That(actual, Is.Not.SameAs(expected), $"{where} is copied, not shared");
            }

            if (expected is List<Dictionary<string, string?>> sets)
            {
                var copies = (List<Dictionary<string, string?>>)actual!;
                Assert.That(copies[0], Is.Not.SameAs(sets[0]), $"{where}[0] is copied, not shared");
            }
        }
    }

    private static bool Same(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (IDictionary x, IDictionary y) => x.Count == y.Count && x.Keys.Cast<object>().All(k => y.Contains(k) && Equals(x[k], y[k])),
        (IEnumerable x, IEnumerable y) when a is not string => x.Cast<object?>().Zip(y.Cast<object?>()).All(p => Same(p.First, p.Second)) && x.Cast<object>().Count() == y.Cast<object>().Count(),
        _ => Equals(a, b),
    };
}
