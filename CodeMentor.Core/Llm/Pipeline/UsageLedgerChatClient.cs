using System.Runtime.CompilerServices;
using CodeMentor.Core.Telemetry;
using CodeMentor.Core.Tokens;
using CodeMentor.Core.Usage;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CodeMentor.Core.Llm.Pipeline;

/// <summary>
/// Outermost stage: writes one ledger row per call — answered, cached, refused by the learner's
/// limits, stopped or failed — with tokens, cost, latency and time to first token. Usage is summed
/// in a finally block, so a stopped or broken stream is recorded too; a call cut off before the
/// provider reported usage is recorded with tokens counted from what was seen, marked estimated.
/// The call is also recorded as in flight when it starts (and its progress every checkpoint), so a
/// hard kill of the server still leaves a row at the next start. All of it is queued to
/// <see cref="LedgerWriter"/>, never written on the stream's path.
/// </summary>
internal sealed class UsageLedgerChatClient(IChatClient inner, LedgerWriter ledger, PricingTable pricing, TokenCounter tokens,
    IOptions<LlmOptions> options, TimeProvider time, CodeMentorMetrics metrics) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (callOptions, trace) = chatOptions.EnsureTrace();
        var started = time.GetTimestamp();
        TimeSpan? firstToken = null;
        Exception? failure = null;
        var completed = false;
        var callId = Guid.NewGuid();
        var request = callOptions.GetRequestContext();
        var progressInterval = TimeSpan.FromSeconds(options.Value.CheckpointSeconds);
        var lastProgress = started;
        var seen = new System.Text.StringBuilder();
        ledger.Start(new InFlightCall
        {
            Id = callId, StartedAtUtc = time.GetUtcNow().UtcDateTime, UserId = request?.UserId ?? "system", ConversationId = request?.ConversationId,
            Feature = request?.Feature ?? "chat", Model = callOptions.ModelId ?? "", LastProgressUtc = time.GetUtcNow().UtcDateTime,
        });

        var stream = base.GetStreamingResponseAsync(messages, callOptions, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await stream.MoveNextAsync())
                    {
                        break;
                    }
                    update = stream.Current;
                }
                catch (Exception ex)
                {
                    failure = ex;
                    throw;
                }
                foreach (var content in update.Contents.AsSpanOrList())
                {
                    if (content is TextContent { Text.Length: > 0 } text)
                    {
                        firstToken ??= time.GetElapsedTime(started);
                        seen.Append(text.Text);
                    }
                    else if (content is TextReasoningContent { Text.Length: > 0 } reasoning)
                    {
                        firstToken ??= time.GetElapsedTime(started);
                        seen.Append(reasoning.Text);
                    }
                }
                if (time.GetElapsedTime(lastProgress) >= progressInterval)
                {
                    lastProgress = time.GetTimestamp();
                    ledger.Report(callId, trace.PromptTokens, seen.Length / 4, time.GetUtcNow().UtcDateTime);
                }
                yield return update;
            }
            completed = true;
        }
        finally
        {
            await stream.DisposeAsync();
            var entry = Entry(callOptions, trace, time.GetElapsedTime(started), firstToken, completed, failure, seen);
            ledger.Enqueue(entry, callId);
            Measure(entry);
        }
    }

    private LedgerEntry Entry(ChatOptions options, LlmCallTrace trace, TimeSpan latency, TimeSpan? firstToken, bool completed, Exception? failure,
        System.Text.StringBuilder seen)
    {
        var request = options.GetRequestContext();
        var (outcome, category) = Outcome(trace, completed, failure);
        var entry = new LedgerEntry
        {
            TimestampUtc = time.GetUtcNow().UtcDateTime,
            UserId = request?.UserId ?? "system",
            ConversationId = request?.ConversationId,
            Feature = request?.Feature ?? "chat",
            Provider = trace.Provider ?? "",
            Model = trace.Model ?? options.ModelId ?? "",
            LatencyMs = (int)Math.Round(latency.TotalMilliseconds),
            TimeToFirstTokenMs = firstToken is { } ttft ? (int)Math.Round(ttft.TotalMilliseconds) : null,
            Attempts = trace.Attempts,
            OverheadMs = (int)Math.Round((trace.Overhead = Overhead(trace, latency, firstToken)).Value.TotalMilliseconds),
            Outcome = outcome,
            FailureCategory = category,
        };

        if (trace.CacheHit)
        {
            // A hit costs nothing; it saved what the original reply cost.
            entry.CostUsd = 0m;
            entry.SavedCostUsd = pricing.Cost(trace.Model, trace.Usage) ?? 0m;
            trace.CostUsd = 0m;
            trace.SavedCostUsd = entry.SavedCostUsd;
            return entry;
        }

        var usage = trace.Usage;
        if (usage is null && seen.Length > 0)
        {
            // Cut off after the provider started answering but before it reported usage (5xx and
            // refused requests are not billed): count what was sent and what came back.
            usage = new UsageDetails { InputTokenCount = trace.PromptTokens ?? 0, OutputTokenCount = tokens.CountText(seen.ToString()) };
            entry.Estimated = true;
        }
        entry.InputTokens = (int)(usage?.InputTokenCount ?? 0);
        entry.OutputTokens = (int)(usage?.OutputTokenCount ?? 0);
        entry.ReasoningTokens = (int)(usage?.ReasoningTokenCount ?? 0);
        entry.CachedInputTokens = (int)(usage?.CachedInputTokenCount ?? 0);
        entry.CostUsd = usage is null ? 0m : pricing.Cost(entry.Model, usage);
        trace.CostUsd = entry.CostUsd;
        return entry;
    }

    /// <summary>What the pipeline added: the time to the first token (or the whole call, when
    /// none came) less the time spent waiting on providers for it.</summary>
    private static TimeSpan Overhead(LlmCallTrace trace, TimeSpan latency, TimeSpan? firstToken)
    {
        var added = (firstToken ?? latency) - trace.ProviderWait;
        return added < TimeSpan.Zero ? TimeSpan.Zero : added;
    }

    private void Measure(LedgerEntry entry)
    {
        if (entry.Outcome == LedgerOutcomes.Cached)
        {
            metrics.CacheHit(entry.Feature);
        }
        else if (entry.Outcome == LedgerOutcomes.RateLimited)
        {
            metrics.RateLimitRefused(entry.Feature);
        }
        metrics.CallEnded(entry.Feature, entry.Outcome, entry.FailureCategory, TimeSpan.FromMilliseconds(entry.OverheadMs ?? 0));
    }

    private static (string Outcome, string? Category) Outcome(LlmCallTrace trace, bool completed, Exception? failure) => failure switch
    {
        null when completed => (trace.CacheHit ? LedgerOutcomes.Cached : LedgerOutcomes.Ok, null),
        null or OperationCanceledException => (LedgerOutcomes.Stopped, null),
        LlmException { Category: LlmFailureCategory.QuotaExceeded } => (LedgerOutcomes.RateLimited, "quota"),
        LlmException { Category: LlmFailureCategory.CircuitOpen } ex => (LedgerOutcomes.Failed, ex.CategoryLabel),
        LlmException ex => (LedgerOutcomes.Failed, ex.CategoryLabel),
        _ => (LedgerOutcomes.Failed, "unexpected"),
    };
}

public static class UsageLedgerChatClientExtensions
{
    public static ChatClientBuilder UseUsageLedger(this ChatClientBuilder builder) =>
        builder.Use((inner, services) => new UsageLedgerChatClient(inner,
            services.GetRequiredService<LedgerWriter>(), services.GetRequiredService<PricingTable>(), services.GetRequiredService<TokenCounter>(),
            services.GetRequiredService<IOptions<LlmOptions>>(), services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<CodeMentorMetrics>()));
}
