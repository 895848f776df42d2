namespace LlmAdapters.Compilation;

/// <summary>The inputs a call accepts (<c>input_items</c>).</summary>
[Flags]
internal enum InputKinds
{
    None = 0,
    Prompt = 1,
    Image = 2,
    Video = 4,
}
