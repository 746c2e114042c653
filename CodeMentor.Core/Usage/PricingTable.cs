using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CodeMentor.Core.Usage;

/// <summary>Price of one model, in USD per million tokens.</summary>
public sealed class ModelPrice
{
    public decimal InputPerMillion { get; set; }
    public decimal OutputPerMillion { get; set; }

    /// <summary>Cached prompt tokens; half the input price when not set (Groq's discount for gpt-oss).</summary>
    public decimal? CachedInputPerMillion { get; set; }
}

/// <summary>The "Pricing" configuration section: model → price. Defaults are Groq's on-demand prices.</summary>
public sealed class PricingOptions
{
    public const string SectionName = "Pricing";

    public Dictionary<string, ModelPrice> Models { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["openai/gpt-oss-20b"] = new() { InputPerMillion = 0.075m, OutputPerMillion = 0.30m },
        ["openai/gpt-oss-120b"] = new() { InputPerMillion = 0.15m, OutputPerMillion = 0.60m },
        // The offline simulator costs nothing.
        ["codementor-simulator"] = new() { InputPerMillion = 0m, OutputPerMillion = 0m },
    };
}

/// <summary>Turns token usage into USD. An unknown model gets no cost (null) and one logged
/// warning, never an invented number.</summary>
public sealed partial class PricingTable(IOptions<PricingOptions> options, ILogger<PricingTable> logger)
{
    private readonly ConcurrentDictionary<string, bool> _warned = new(StringComparer.OrdinalIgnoreCase);

    public ModelPrice? Find(string? model) =>
        model is not null && options.Value.Models.TryGetValue(model, out var price) ? price : null;

    public IReadOnlyDictionary<string, ModelPrice> All => options.Value.Models;

    public decimal? Cost(string? model, UsageDetails? usage)
    {
        if (usage is null)
        {
            return 0m;
        }
        if (Find(model) is not { } price)
        {
            if (model is not null && _warned.TryAdd(model, true))
            {
                LogUnknownModel(logger, model);
            }
            return null;
        }
        return Cost(price, usage.InputTokenCount ?? 0, usage.CachedInputTokenCount ?? 0, usage.OutputTokenCount ?? 0);
    }

    /// <summary>Reasoning tokens are part of the output (completion) tokens and billed with them.</summary>
    public static decimal Cost(ModelPrice price, long inputTokens, long cachedInputTokens, long outputTokens)
    {
        var cached = Math.Min(cachedInputTokens, inputTokens);
        var cachedPrice = price.CachedInputPerMillion ?? price.InputPerMillion / 2;
        return ((inputTokens - cached) * price.InputPerMillion + cached * cachedPrice + outputTokens * price.OutputPerMillion) / 1_000_000m;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No price for model {Model}: its calls are recorded without a cost. Add it under Pricing:Models.")]
    private static partial void LogUnknownModel(ILogger logger, string model);
}
