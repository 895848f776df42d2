using LlmAdapters.AI;
using Microsoft.Extensions.AI;

namespace LlmAdapters;

/// <summary>Uses an <see cref="ILlmClient"/> as a Microsoft.Extensions.AI <see cref="IChatClient"/>.</summary>
public static class LlmChatClientExtensions
{
    /// <summary>An <see cref="IChatClient"/> that runs <paramref name="call"/> of this client's adapter, so the whole Microsoft.Extensions.AI stack (middleware, helpers, agents) runs on any vendor.</summary>
    /// <remarks>
    /// <see cref="ChatMessage"/> text and image content (<see cref="DataContent"/>, <see cref="UriContent"/>) fill the standard
    /// variables; <see cref="FunctionCallContent"/> and <see cref="FunctionResultContent"/> become tool calls and tool results
    /// in <c>${messages}</c>. <see cref="ChatOptions"/> map to the request: <c>ModelId</c> → model, <c>MaxOutputTokens</c> →
    /// max_tokens, <c>Temperature</c> → temperature, <c>TopP</c> → top_p, <c>StopSequences</c> → stop, <c>Instructions</c> →
    /// system, <c>Tools</c> (<see cref="AIFunctionDeclaration"/>) → tools, <c>ToolMode</c> → tool_choice,
    /// <c>ResponseFormat</c> → response_format, <c>AllowMultipleToolCalls</c> → parallel_tool_calls, and
    /// <c>AdditionalProperties</c> → variables of the same names. Tools, a tool mode or a response format that the call has
    /// no place for raise <see cref="LlmRequestException"/> before anything is sent, as do tools other than functions.
    /// Responses carry the model's tool calls as <see cref="FunctionCallContent"/> (a stream's in its last update, whole),
    /// so <c>UseFunctionInvocation()</c> runs tool loops and <c>GetResponseAsync&lt;T&gt;()</c> asks for a JSON Schema.
    /// An async (poll) call honours <see cref="ChatOptions.AllowBackgroundResponses"/> and <see cref="ChatOptions.ContinuationToken"/>.
    /// The chat client is thread-safe and owns nothing; disposing it does nothing.
    /// </remarks>
    /// <param name="client">The client to wrap.</param>
    /// <param name="call">The call to run; <c>chat</c> by default.</param>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is null.</exception>
    public static IChatClient AsIChatClient(this ILlmClient client, string call = "chat")
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(call);
        return new LlmChatClient(client, call);
    }

    /// <summary>The former name of <see cref="AsIChatClient"/>, which Microsoft.Extensions.AI and its providers use.</summary>
    /// <param name="client">The client to wrap.</param>
    /// <param name="call">The call to run; <c>chat</c> by default.</param>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is null.</exception>
    [Obsolete("Use AsIChatClient(), the name Microsoft.Extensions.AI and its providers use.")]
    public static IChatClient AsChatClient(this ILlmClient client, string call = "chat") => AsIChatClient(client, call);
}
