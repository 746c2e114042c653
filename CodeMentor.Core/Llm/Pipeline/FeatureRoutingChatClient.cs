using CodeMentor.Core.Llm.Routing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CodeMentor.Core.Llm.Pipeline;

/// <summary>Applies the routing table: the call's feature chooses the model, reasoning effort,
/// temperature, reply length and provider chain (Llm:Routing:&lt;feature&gt;).</summary>
internal sealed class FeatureRoutingChatClient(IChatClient inner, IOptionsMonitor<LlmOptions> options) : DelegatingChatClient(inner)
{
    public override Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default) =>
        base.GetResponseAsync(messages, Route(chatOptions), cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default) =>
        base.GetStreamingResponseAsync(messages, Route(chatOptions), cancellationToken);

    private ChatOptions Route(ChatOptions? chatOptions)
    {
        var feature = chatOptions.GetRequestContext()?.Feature ?? Features.Chat;
        if (!options.CurrentValue.Routing.TryGetValue(feature, out var route))
        {
            return chatOptions ?? new ChatOptions();
        }
        // A copy: the caller's options are never changed.
        var routed = route.Providers.Count > 0
            ? chatOptions.With(CallInputs.ProviderChain, route.Providers.Select(p => p.ToLowerInvariant()).ToList())
            : chatOptions?.Clone() ?? new ChatOptions();
        routed.ModelId = route.Model ?? routed.ModelId;
        routed.Temperature = route.Temperature is { } t ? (float)t : routed.Temperature;
        routed.MaxOutputTokens = route.MaxOutputTokens ?? routed.MaxOutputTokens;
        if (route.ReasoningEffort is { Length: > 0 } effort)
        {
            routed.Reasoning = new ReasoningOptions
            {
                Effort = effort.ToLowerInvariant() switch { "high" => ReasoningEffort.High, "medium" => ReasoningEffort.Medium, _ => ReasoningEffort.Low },
                Output = routed.Reasoning?.Output,
            };
        }
        return routed;
    }
}

internal static class FeatureRoutingChatClientExtensions
{
    public static ChatClientBuilder UseRouting(this ChatClientBuilder builder) =>
        builder.Use((inner, services) => new FeatureRoutingChatClient(inner, services.GetRequiredService<IOptionsMonitor<LlmOptions>>()));
}
