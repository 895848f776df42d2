namespace LlmAdapters.Tests.Fuzzing;

/// <summary>
/// Minimal reproductions of the library bugs <see cref="DefinitionFuzzTests"/> found. Each is ignored until the engine
/// is fixed; then remove the Ignore and the bug's entry in <see cref="DefinitionFuzzTests.KnownBugs"/>.
/// </summary>
[Category("Fuzzing")]
public class DefinitionFuzzBugs
{
    private static readonly byte[] Invalid = [0xFF];

    /// <summary>Found by the byte mutations (seed 20240602: case 86 invalid-utf8, case 144 flip-bytes, case 366 flip-bytes, and bad-escape cases).</summary>
    [TestCase("key", TestName = "InvalidUtf8_InAKey_IsAnLlmDefinitionException (JsonLineMap.Build)")]
    [TestCase("name", TestName = "InvalidUtf8_InTheName_IsAnLlmDefinitionException (DefinitionReader.RequireString)")]
    [TestCase("value", TestName = "InvalidUtf8_InADataValue_IsAnLlmDefinitionException (TemplateCompiler.Compile)")]
    [TestCase("surrogate", TestName = "UnpairedSurrogateEscape_InTheName_IsAnLlmDefinitionException (DefinitionReader.RequireString)")]
    public void InvalidUtf8_InAString_IsAnLlmDefinitionException(string where)
    {
        // {"name": "t", "chat": {"path": "/x", "data": [{"name": "a", "value": "v"}]}} with one string made of the byte 0xFF.
        byte[] bytes = where switch
        {
            "key" => [.. "{\"name\": \"t\", \"chat\": {\"path\": \"/x\"}, \"$"u8, .. Invalid, .. "\": 1}"u8],
            "name" => [.. "{\"name\": \""u8, .. Invalid, .. "\", \"chat\": {\"path\": \"/x\"}}"u8],
            "surrogate" => [.. "{\"name\": \"\\uD800\", \"chat\": {\"path\": \"/x\"}}"u8],
            _ => [.. "{\"name\": \"t\", \"chat\": {\"path\": \"/x\", \"data\": [{\"name\": \"a\", \"value\": \""u8, .. Invalid, .. "\"}]}}"u8],
        };
        var folder = Directory.CreateTempSubdirectory("llmadapters-fuzz-bug-");
        try
        {
            var file = Path.Combine(folder.FullName, "fuzz.json");
            File.WriteAllBytes(file, bytes);
            var e = Assert.Throws<LlmDefinitionException>(() => LlmCatalog.FromFile(file))!;
            Assert.That(e.Problems, Has.Count.GreaterThan(0));
            Assert.That(e.Problems.Select(p => p.File), Is.All.EqualTo(file));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Found by the structural mutations (seed 20240601: case 11 huge-key, and huge-value cases).</summary>
    [TestCase("key")]
    [TestCase("value")]
    public void HugeKeyOrValue_GivesAMessageOfBoundedLength(string where)
    {
        var huge = new string('a', 200_000);
        var json = where == "key"
            ? $$"""{ "name": "t", "chat": { "path": "/x", "{{huge}}": 1 } }"""
            : $$"""{ "name": "t", "chat": { "path": "/x", "apitype": "{{huge}}" } }""";
        var e = Assert.Throws<LlmDefinitionException>(() => LlmCatalog.FromJson(json, "fuzz.json"))!;
        Assert.That(e.Message, Has.Length.LessThanOrEqualTo(100_000));
    }
}
