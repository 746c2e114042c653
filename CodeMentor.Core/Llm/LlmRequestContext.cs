using Microsoft.Extensions.AI;

namespace CodeMentor.Core.Llm;

/// <summary>Who a model call is for and why, carried through the pipeline in
/// <see cref="ChatOptions.AdditionalProperties"/> so each stage (limits, routing, cache, ledger)
/// can read it. Never sent to the provider.</summary>
public sealed record LlmRequestContext(string UserId, string Feature, Guid? ConversationId = null, bool BypassCache = false)
{
    public const string PropertyName = "codementor.request";
}

public static class LlmRequestContextExtensions
{
    public static ChatOptions WithRequestContext(this ChatOptions options, LlmRequestContext context)
    {
        options.AdditionalProperties ??= [];
        options.AdditionalProperties[LlmRequestContext.PropertyName] = context;
        return options;
    }

    public static LlmRequestContext? GetRequestContext(this ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(LlmRequestContext.PropertyName, out var value) == true
            ? value as LlmRequestContext
            : null;
}
