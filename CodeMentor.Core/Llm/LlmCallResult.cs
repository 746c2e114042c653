using Microsoft.Extensions.AI;

namespace CodeMentor.Core.Llm;

/// <summary>
/// What one model call came to, as the outermost stage (the usage ledger) folded it from the
/// stream: it travels on the stream's last update, in <see cref="ChatResponseUpdate.AdditionalProperties"/>,
/// so a caller folding the stream (<c>ToChatResponse()</c>) finds it on the response. A failed or
/// stopped call yields it just before its exception.
/// </summary>
/// <param name="Usage">Usage as the provider reported it; for a cache hit, what the original reply used.</param>
/// <param name="CostUsd">What the call cost (null when the model has no price; 0 for a cache hit).</param>
/// <param name="Overhead">Time CodeMentor's pipeline added (to the first token, or to the end when none came), provider time excluded.</param>
public sealed record LlmCallResult(string? Provider, string? Model, int Attempts, bool CacheHit, UsageDetails? Usage,
    decimal? CostUsd, decimal SavedCostUsd, TimeSpan Overhead)
{
    public const string PropertyName = "codementor.result";
}

/// <summary>
/// Facts an inner stage learns about its call and hands outward on the stream: on the first update
/// it passes up, or, when the call fails before any update, in the exception's <see cref="Exception.Data"/>.
/// Stages read them as they fold the updates they pass on; nothing is written back into a shared object.
/// </summary>
internal static class CallFacts
{
    /// <summary>The provider that answered (failover) or whose reply was cached (cache).</summary>
    public const string Provider = "codementor.provider";

    /// <summary>Requests made to providers, retries and failovers included.</summary>
    public const string Attempts = "codementor.attempts";

    /// <summary>Time spent waiting on providers for the reply to start (a <see cref="TimeSpan"/>).</summary>
    public const string ProviderWait = "codementor.provider_wait";

    /// <summary>True when the reply came from the response cache.</summary>
    public const string CacheHit = "codementor.cache_hit";

    /// <summary>The course the call was tutoring in (a <see cref="Guid"/>), from the course budget stage.</summary>
    public const string CourseId = "codementor.course_id";

    /// <summary>Tokens of the prompt as sent, counted by the context window stage.</summary>
    public const string PromptTokens = "codementor.prompt_tokens";

    public static ChatResponseUpdate With(this ChatResponseUpdate update, string fact, object value)
    {
        update.AdditionalProperties ??= [];
        update.AdditionalProperties[fact] = value;
        return update;
    }

    public static T? Get<T>(this ChatResponseUpdate update, string fact) =>
        update.AdditionalProperties?.TryGetValue(fact, out var value) == true && value is T typed ? typed : default;

    public static T? Get<T>(this Exception exception, string fact) =>
        exception.Data.Contains(fact) && exception.Data[fact] is T typed ? typed : default;

    /// <summary>Adds a fact to an exception on its way out, keeping its stack trace.</summary>
    public static Exception With(this Exception exception, string fact, object value)
    {
        exception.Data[fact] = value;
        return exception;
    }
}

/// <summary>A stage's decision for the stages inside it, carried down in <see cref="ChatOptions.AdditionalProperties"/>.</summary>
internal static class CallInputs
{
    /// <summary>The providers to try in order, set by routing (an <see cref="IReadOnlyList{T}"/> of names).</summary>
    public const string ProviderChain = "codementor.provider_chain";

    public static T? Get<T>(this ChatOptions? options, string input) =>
        options?.AdditionalProperties?.TryGetValue(input, out var value) == true && value is T typed ? typed : default;

    /// <summary>A copy of the options with one more input; the caller's options are never changed.</summary>
    public static ChatOptions With(this ChatOptions? options, string input, object value)
    {
        var copy = options?.Clone() ?? new ChatOptions();
        copy.AdditionalProperties = copy.AdditionalProperties is null ? [] : new AdditionalPropertiesDictionary(copy.AdditionalProperties);
        copy.AdditionalProperties[input] = value;
        return copy;
    }
}

public static class LlmCallResultExtensions
{
    /// <summary>The call's result, from the update that carries it.</summary>
    public static LlmCallResult? GetCallResult(this ChatResponseUpdate update) =>
        update.AdditionalProperties?.TryGetValue(LlmCallResult.PropertyName, out var value) == true ? value as LlmCallResult : null;

    /// <summary>The call's result, from a response folded from the stream.</summary>
    public static LlmCallResult? GetCallResult(this ChatResponse response) =>
        response.AdditionalProperties?.TryGetValue(LlmCallResult.PropertyName, out var value) == true ? value as LlmCallResult : null;
}
