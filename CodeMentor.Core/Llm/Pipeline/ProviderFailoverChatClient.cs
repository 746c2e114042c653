using System.Runtime.CompilerServices;
using CodeMentor.Core.Llm.Context;
using CodeMentor.Core.Llm.Resilience;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace CodeMentor.Core.Llm.Pipeline;

/// <summary>
/// The innermost stage: tries the providers of the call's chain in order (routing sets it; by
/// default LLM_PRIMARY_PROVIDER then LLM_FALLBACK_PROVIDER). A provider that fails before the first
/// token, or whose circuit is open, hands over to the next. The trace records who answered.
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
        var (callOptions, trace) = options.EnsureTrace();
        var chain = trace.ProviderChain.Count > 0 ? trace.ProviderChain : status.DefaultChain;
        var prompt = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var estimatedTokens = (trace.PromptTokens ?? window.Count(prompt)) + (callOptions.MaxOutputTokens ?? 0);

        StreamStart? start = null;
        for (var i = 0; start is null; i++)
        {
            var provider = providers.Get(chain[i]);
            var isLast = i == chain.Count - 1;
            try
            {
                // Routed models are Groq model names; other providers answer with their own configured model.
                start = await provider.StartAsync(prompt, provider.Name == ProviderNames.Groq ? callOptions : WithoutModel(callOptions), quick: !isLast,
                    trace, estimatedTokens, cancellationToken);
                trace.Provider = provider.Name;
            }
            catch (LlmException ex) when (!isLast && CanFailOver(ex))
            {
                LogFailover(logger, provider.Name, chain[i + 1], ex.CategoryLabel);
            }
        }

        await using (start)
        {
            foreach (var update in start.Buffered)
            {
                yield return Observe(update, trace);
            }
            while (!start.Ended && await start.Rest.MoveNextAsync())
            {
                yield return Observe(start.Rest.Current, trace);
            }
        }
    }

    private static ChatResponseUpdate Observe(ChatResponseUpdate update, LlmCallTrace trace)
    {
        trace.Model = update.ModelId ?? trace.Model;
        foreach (var content in update.Contents.AsSpanOrList())
        {
            if (content is UsageContent usage)
            {
                trace.Usage ??= new UsageDetails();
                trace.Usage.Add(usage.Details);
            }
        }
        return update;
    }

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
