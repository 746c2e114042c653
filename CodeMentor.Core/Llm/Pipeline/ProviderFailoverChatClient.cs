using System.Runtime.CompilerServices;
using CodeMentor.Core.Llm.Context;
using CodeMentor.Core.Llm.Resilience;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace CodeMentor.Core.Llm.Pipeline;

/// <summary>
/// The innermost stage: tries the providers of the call's chain in order (routing sets it; by
/// default LLM_PRIMARY_PROVIDER then LLM_FALLBACK_PROVIDER). A provider that fails before the first
/// token, or whose circuit is open, hands over to the next. The first update going out says who
/// answered, after how many attempts and how long a wait (the exception says it when none answered).
/// The offline simulator is never in a chain unless it is the only thing configured.
/// </summary>
internal sealed partial class ProviderFailoverChatClient(ProviderRegistry providers, LlmStatus status, ContextWindow window, ILogger<ProviderFailoverChatClient> logger)
    : IChatClient
{
    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var callOptions = options ?? new ChatOptions();
        var chain = callOptions.Get<IReadOnlyList<string>>(CallInputs.ProviderChain) is { Count: > 0 } routed ? routed : status.DefaultChain;
        var prompt = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var estimatedTokens = (callOptions.Get<int?>(CallFacts.PromptTokens) ?? window.Count(prompt)) + (callOptions.MaxOutputTokens ?? 0);

        var log = new AttemptLog();
        StreamStart? start = null;
        string? answered = null;
        for (var i = 0; start is null; i++)
        {
            var provider = providers.Get(chain[i]);
            var isLast = i == chain.Count - 1;
            try
            {
                // Routed models are Groq model names; other providers answer with their own configured model.
                start = await provider.StartAsync(prompt, provider.Name == ProviderNames.Groq ? callOptions : WithoutModel(callOptions), quick: !isLast,
                    log, estimatedTokens, cancellationToken);
                answered = provider.Name;
            }
            catch (LlmException ex) when (!isLast && CanFailOver(ex))
            {
                LogFailover(logger, provider.Name, chain[i + 1], ex.CategoryLabel);
            }
            catch (Exception ex)
            {
                // Failed before any update: the tally goes out with the exception.
                ex.With(CallFacts.Provider, provider.Name).With(CallFacts.Attempts, log.Attempts).With(CallFacts.ProviderWait, log.ProviderWait);
                throw;
            }
        }

        await using (start)
        {
            var annotated = false;
            foreach (var update in start.Buffered)
            {
                yield return annotated ? update : Annotate(update, answered!, log);
                annotated = true;
            }
            while (!start.Ended && await start.Rest.MoveNextAsync())
            {
                yield return annotated ? start.Rest.Current : Annotate(start.Rest.Current, answered!, log);
                annotated = true;
            }
            if (!annotated)
            {
                yield return Annotate(new ChatResponseUpdate { Role = ChatRole.Assistant }, answered!, log); // an empty reply still says who gave it
            }
        }
    }

    /// <summary>Who answered, after how many attempts and how long a wait: on the first update going out.</summary>
    private static ChatResponseUpdate Annotate(ChatResponseUpdate update, string provider, AttemptLog log) =>
        update.With(CallFacts.Provider, provider).With(CallFacts.Attempts, log.Attempts).With(CallFacts.ProviderWait, log.ProviderWait);

    /// <summary>A request the provider found invalid would be invalid for the next one too.</summary>
    private static bool CanFailOver(LlmException ex) => ex.Category is not (LlmFailureCategory.BadRequest
        or LlmFailureCategory.RequestTooLarge or LlmFailureCategory.Unprocessable or LlmFailureCategory.ContextTooLarge
        or LlmFailureCategory.Disabled or LlmFailureCategory.QuotaExceeded);

    private static ChatOptions WithoutModel(ChatOptions options)
    {
        var copy = options.Clone();
        copy.ModelId = null;
        copy.Reasoning = null;
        return copy;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Provider {Provider} failed before the first token ({Category}); failing over to {Next}")]
    private static partial void LogFailover(ILogger logger, string provider, string next, string category);
}
