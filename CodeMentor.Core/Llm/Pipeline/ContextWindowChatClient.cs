using System.Runtime.CompilerServices;
using CodeMentor.Core.Llm.Context;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CodeMentor.Core.Llm.Pipeline;

/// <summary>Sends only the sliding window of the conversation: system prompt, the newest message,
/// and the earlier messages within LLM_CONTEXT_MAX_MESSAGES and LLM_CONTEXT_MAX_TOKENS. A newest
/// message the model could not read at all is refused before any model call.</summary>
internal sealed class ContextWindowChatClient(IChatClient inner, ContextWindow window, IOptions<LlmOptions> options)
    : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, chatOptions, cancellationToken).ToChatResponseAsync(cancellationToken);

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        var result = window.Select(messages as IReadOnlyList<ChatMessage> ?? messages.ToList(), o.Context.MaxMessages, o.Context.MaxTokens,
            o.Context.ModelTokens - (chatOptions?.MaxOutputTokens ?? o.MaxOutputTokens));
        if (result.IsRefused)
        {
            throw new LlmException(LlmFailureCategory.ContextTooLarge, result.RefusalMessage);
        }
        // Counted once: the stages inside reuse the count, the ledger outside reads it off the first update.
        var windowed = chatOptions.With(CallFacts.PromptTokens, result.TokenCount);
        var first = true;
        await foreach (var update in base.GetStreamingResponseAsync(result.Messages, windowed, cancellationToken))
        {
            yield return first ? update.With(CallFacts.PromptTokens, result.TokenCount) : update;
            first = false;
        }
    }
}

internal static class ContextWindowChatClientExtensions
{
    public static ChatClientBuilder UseContextWindow(this ChatClientBuilder builder) =>
        builder.Use((inner, services) => new ContextWindowChatClient(
            inner,
            services.GetRequiredService<ContextWindow>(),
            services.GetRequiredService<IOptions<LlmOptions>>()));
}
