using Microsoft.Extensions.AI;

namespace CodeMentor.Core.Llm;

/// <summary>
/// What happened to one model call, filled in by the pipeline stages as the call passes through
/// (routing: feature and provider chain; failover: provider, model, attempts; cache: hit) and read
/// by the usage ledger and by whoever made the call. Travels in ChatOptions.AdditionalProperties.
/// </summary>
public sealed class LlmCallTrace
{
    public const string PropertyName = "codementor.trace";

    /// <summary>Providers to try in order, set by routing; empty means the configured defaults.</summary>
    public IReadOnlyList<string> ProviderChain { get; set; } = [];

    /// <summary>Tokens of the prompt as sent, counted by the context window stage.</summary>
    public int? PromptTokens { get; set; }

    public string? Provider { get; set; }
    public string? Model { get; set; }
    public int Attempts { get; set; }

    /// <summary>Time spent waiting on providers for the reply to start (every attempt, from request
    /// to first token or failure): what the pipeline's overhead is measured against.</summary>
    public TimeSpan ProviderWait { get; set; }
    public bool CacheHit { get; set; }

    /// <summary>Usage of the reply as it was first generated; for a cache hit, what the hit saved.</summary>
    public UsageDetails? Usage { get; set; }

    /// <summary>Cost of this call in USD (null when the model is not in the pricing table).</summary>
    public decimal? CostUsd { get; set; }

    /// <summary>What the pipeline added to the call, set by the ledger stage with the cost.</summary>
    public TimeSpan? Overhead { get; set; }

    /// <summary>For a cache hit: what the call would have cost.</summary>
    public decimal? SavedCostUsd { get; set; }
}

public static class LlmCallTraceExtensions
{
    public static LlmCallTrace? GetTrace(this ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(LlmCallTrace.PropertyName, out var value) == true ? value as LlmCallTrace : null;

    /// <summary>The call's trace, attached to (a copy of) the options if there is none yet.</summary>
    public static (ChatOptions Options, LlmCallTrace Trace) EnsureTrace(this ChatOptions? options)
    {
        if (options.GetTrace() is { } existing)
        {
            return (options!, existing);
        }
        var copy = options?.Clone() ?? new ChatOptions();
        copy.AdditionalProperties ??= [];
        var trace = new LlmCallTrace();
        copy.AdditionalProperties[LlmCallTrace.PropertyName] = trace;
        return (copy, trace);
    }
}
