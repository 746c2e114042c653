using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CodeMentor.Core.Telemetry;

/// <summary>Names under which CodeMentor's traces and metrics are published.</summary>
public static class CodeMentorTelemetry
{
    /// <summary>CodeMentor's own meter (cache hits, refusals, guard firings, overhead, outcomes).</summary>
    public const string MeterName = "CodeMentor";

    /// <summary>Activity source and meter of the model calls, in the OpenTelemetry GenAI conventions
    /// (Microsoft.Extensions.AI's OpenTelemetryChatClient around each provider).</summary>
    public const string GenAiSourceName = "CodeMentor.GenAI";
}

/// <summary>
/// CodeMentor's own counters, next to the GenAI conventions' token-usage and duration metrics.
/// Tags are low-cardinality (feature, outcome, guard): never a user, a conversation or text.
/// </summary>
public sealed class CodeMentorMetrics
{
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _guardFirings;
    private readonly Counter<long> _outcomes;
    private readonly Histogram<double> _overhead;

    public CodeMentorMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(CodeMentorTelemetry.MeterName);
        _cacheHits = meter.CreateCounter<long>("codementor.llm.cache.hits", "{call}", "Model calls answered from the response cache.");
        _refusals = meter.CreateCounter<long>("codementor.llm.rate_limit.refusals", "{call}",
            "Model calls refused because the user's request or token quota was used up.");
        _guardFirings = meter.CreateCounter<long>("codementor.guard.firings", "{reply}",
            "Replies held back or rewritten by a guard (e.g. the exercise solution-leak guard).");
        _outcomes = meter.CreateCounter<long>("codementor.llm.call.outcomes", "{call}",
            "Model calls by outcome: ok, cached, rate-limited, stopped, failed.");
        _overhead = meter.CreateHistogram<double>("codementor.llm.pipeline.overhead", "s",
            "Time CodeMentor's pipeline added to a call (limits, routing, context window, cache, failover), provider time excluded.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
    }

    public void CacheHit(string feature) => _cacheHits.Add(1, new KeyValuePair<string, object?>("codementor.feature", feature));

    public void RateLimitRefused(string feature) => _refusals.Add(1, new KeyValuePair<string, object?>("codementor.feature", feature));

    public void GuardFired(string guard, string feature) => _guardFirings.Add(1,
        new KeyValuePair<string, object?>("codementor.guard", guard), new KeyValuePair<string, object?>("codementor.feature", feature));

    public void CallEnded(string feature, string outcome, string? failureCategory, TimeSpan overhead)
    {
        var tags = new TagList { { "codementor.feature", feature }, { "codementor.outcome", outcome } };
        if (failureCategory is not null)
        {
            tags.Add("error.type", failureCategory);
        }
        _outcomes.Add(1, tags);
        _overhead.Record(overhead.TotalSeconds, new KeyValuePair<string, object?>("codementor.feature", feature));
    }
}

/// <summary>What telemetry may carry (section "Telemetry").</summary>
internal sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>Prompt and reply text on GenAI spans and events: off unless an admin turns it on
    /// (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true), since they hold what learners wrote.</summary>
    public bool CaptureMessageContent { get; set; }
}
