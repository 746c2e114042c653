using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using CodeMentor.Core.Telemetry;
using CodeMentor.Core.Text;
using CodeMentor.Core.Tokens;
using CodeMentor.Core.Usage;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CodeMentor.Core.Llm.Pipeline;

/// <summary>
/// Outermost stage: writes one ledger row per call — answered, cached, refused by the learner's
/// limits, stopped or failed — with tokens, cost, latency, time to first token and the time the
/// pipeline added. Everything it records it reads from the stream itself (the inner stages' facts
/// on the first update or on the exception, usage from <see cref="UsageContent"/>), and it hands
/// the call's <see cref="LlmCallResult"/> out on one last update — before the exception, when the
/// call failed or was stopped — as Microsoft.Extensions.AI's OpenTelemetryChatClient folds a stream.
/// A call cut off before the provider reported usage is recorded with tokens counted from what was
/// seen, marked estimated. The call is also recorded as in flight when it starts (and its progress
/// every checkpoint), so a hard kill of the server still leaves a row at the next start. All of it
/// is queued to <see cref="LedgerWriter"/>, never written on the stream's path.
/// </summary>
internal sealed class UsageLedgerChatClient(IChatClient inner, LedgerWriter ledger, PricingTable pricing, TokenCounter tokens,
    IOptions<LlmOptions> options, TimeProvider time, CodeMentorMetrics metrics, SharedState.NodeIdentity node) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    /// <summary>What the stream has said about its call so far.</summary>
    private sealed class Fold : IDisposable
    {
        public string? Provider;
        public string? Model;
        public int Attempts;
        public bool CacheHit;
        public TimeSpan ProviderWait;
        public int? PromptTokens;
        public Guid? CourseId;
        public UsageDetails? Usage;
        public TimeSpan? FirstToken;
        public readonly PooledText Seen = new();

        public void Dispose() => Seen.Dispose();

        public void Facts(Func<string, object?> get)
        {
            Provider ??= get(CallFacts.Provider) as string;
            Attempts = get(CallFacts.Attempts) as int? ?? Attempts;
            CacheHit |= get(CallFacts.CacheHit) as bool? ?? false;
            ProviderWait = get(CallFacts.ProviderWait) as TimeSpan? ?? ProviderWait;
            PromptTokens ??= get(CallFacts.PromptTokens) as int?;
            CourseId ??= get(CallFacts.CourseId) as Guid?;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var started = time.GetTimestamp();
        using var fold = new Fold { Model = chatOptions?.ModelId };
        Exception? failure = null;
        var completed = false;
        LedgerEntry? recorded = null;
        var callId = Guid.NewGuid();
        var request = chatOptions.GetRequestContext();
        var progressInterval = TimeSpan.FromSeconds(options.Value.CheckpointSeconds);
        var lastProgress = started;
        ledger.Start(new InFlightCall
        {
            Id = callId, StartedAtUtc = time.GetUtcNow().UtcDateTime, UserId = request?.UserId ?? "system", ConversationId = request?.ConversationId,
            Feature = request?.Feature ?? "chat", Model = chatOptions?.ModelId ?? "", LastProgressUtc = time.GetUtcNow().UtcDateTime,
            Node = node.Id,
        });

        var stream = base.GetStreamingResponseAsync(messages, chatOptions, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await stream.MoveNextAsync())
                    {
                        completed = true;
                        break;
                    }
                    update = stream.Current;
                }
                catch (Exception ex)
                {
                    failure = ex;
                    fold.Facts(fact => ex.Data.Contains(fact) ? ex.Data[fact] : null);
                    break;
                }
                Observe(update, fold, started);
                if (time.GetElapsedTime(lastProgress) >= progressInterval)
                {
                    lastProgress = time.GetTimestamp();
                    ledger.Report(callId, fold.PromptTokens, fold.Seen.Length / 4, time.GetUtcNow().UtcDateTime);
                }
                yield return update;
            }

            recorded = Record(callId, chatOptions, fold, time.GetElapsedTime(started), completed, failure);
            yield return new ChatResponseUpdate { AdditionalProperties = new() { [LlmCallResult.PropertyName] = Result(recorded, fold) } };
            if (failure is not null)
            {
                ExceptionDispatchInfo.Throw(failure);
            }
        }
        finally
        {
            await stream.DisposeAsync();
            // The caller stopped reading early: the call still gets its row.
            recorded ??= Record(callId, chatOptions, fold, time.GetElapsedTime(started), completed, failure);
        }
    }

    private void Observe(ChatResponseUpdate update, Fold fold, long started)
    {
        if (update.AdditionalProperties is { Count: > 0 } facts)
        {
            fold.Facts(fact => facts.TryGetValue(fact, out var value) ? value : null);
        }
        fold.Model = update.ModelId ?? fold.Model;
        foreach (var content in update.Contents.AsSpanOrList())
        {
            switch (content)
            {
                case TextContent { Text.Length: > 0 } text:
                    fold.FirstToken ??= time.GetElapsedTime(started);
                    fold.Seen.Append(text.Text);
                    break;
                case TextReasoningContent { Text.Length: > 0 } reasoning:
                    fold.FirstToken ??= time.GetElapsedTime(started);
                    fold.Seen.Append(reasoning.Text);
                    break;
                case UsageContent usage:
                    (fold.Usage ??= new UsageDetails()).Add(usage.Details);
                    break;
            }
        }
    }

    private LedgerEntry Record(Guid callId, ChatOptions? options, Fold fold, TimeSpan latency, bool completed, Exception? failure)
    {
        var entry = Entry(options, fold, latency, completed, failure);
        ledger.Enqueue(entry, callId);
        if (entry.Outcome == LedgerOutcomes.Cached)
        {
            metrics.CacheHit(entry.Feature);
        }
        else if (entry.Outcome == LedgerOutcomes.RateLimited)
        {
            metrics.RateLimitRefused(entry.Feature);
        }
        metrics.CallEnded(entry.Feature, entry.Outcome, entry.FailureCategory, TimeSpan.FromMilliseconds(entry.OverheadMs ?? 0));
        return entry;
    }

    private static LlmCallResult Result(LedgerEntry entry, Fold fold) => new(
        entry.Provider.Length > 0 ? entry.Provider : null, entry.Model.Length > 0 ? entry.Model : null, entry.Attempts, fold.CacheHit,
        fold.Usage, entry.CostUsd, entry.SavedCostUsd, TimeSpan.FromMilliseconds(entry.OverheadMs ?? 0));

    private LedgerEntry Entry(ChatOptions? options, Fold fold, TimeSpan latency, bool completed, Exception? failure)
    {
        var request = options.GetRequestContext();
        var (outcome, category) = Outcome(fold.CacheHit, completed, failure);
        var entry = new LedgerEntry
        {
            TimestampUtc = time.GetUtcNow().UtcDateTime,
            UserId = request?.UserId ?? "system",
            ConversationId = request?.ConversationId,
            CourseId = fold.CourseId,
            Feature = request?.Feature ?? "chat",
            Provider = fold.Provider ?? "",
            Model = fold.Model ?? "",
            LatencyMs = (int)Math.Round(latency.TotalMilliseconds),
            TimeToFirstTokenMs = fold.FirstToken is { } ttft ? (int)Math.Round(ttft.TotalMilliseconds) : null,
            Attempts = fold.Attempts,
            OverheadMs = (int)Math.Round(Overhead(fold, latency).TotalMilliseconds),
            Outcome = outcome,
            FailureCategory = category,
        };

        if (fold.CacheHit)
        {
            // A hit costs nothing; it saved what the original reply cost.
            entry.CostUsd = 0m;
            entry.SavedCostUsd = pricing.Cost(fold.Model, fold.Usage) ?? 0m;
            return entry;
        }

        var usage = fold.Usage;
        if (usage is null && fold.Seen.Length > 0)
        {
            usage = CallTokens.EstimateCutOff(fold.PromptTokens, fold.Seen.ToString(), tokens);
            entry.Estimated = true;
        }
        entry.InputTokens = (int)(usage?.InputTokenCount ?? 0);
        entry.OutputTokens = (int)(usage?.OutputTokenCount ?? 0);
        entry.ReasoningTokens = (int)(usage?.ReasoningTokenCount ?? 0);
        entry.CachedInputTokens = (int)(usage?.CachedInputTokenCount ?? 0);
        entry.CostUsd = usage is null ? 0m : pricing.Cost(entry.Model, usage);
        return entry;
    }

    /// <summary>What the pipeline added: the time to the first token (or the whole call, when
    /// none came) less the time spent waiting on providers for it.</summary>
    private static TimeSpan Overhead(Fold fold, TimeSpan latency)
    {
        var added = (fold.FirstToken ?? latency) - fold.ProviderWait;
        return added < TimeSpan.Zero ? TimeSpan.Zero : added;
    }

    private static (string Outcome, string? Category) Outcome(bool cacheHit, bool completed, Exception? failure) => failure switch
    {
        null when completed => (cacheHit ? LedgerOutcomes.Cached : LedgerOutcomes.Ok, null),
        null or OperationCanceledException => (LedgerOutcomes.Stopped, null),
        // Refused before any work (a used-up quota, a closed course, a spent course budget): counted among the refusals, not the failures.
        LlmException { Category: var category } when RefusalLedger.IsRefusal(category) => (LedgerOutcomes.RateLimited, LlmException.Label(category)),
        LlmException ex => (LedgerOutcomes.Failed, ex.CategoryLabel),
        _ => (LedgerOutcomes.Failed, "unexpected"),
    };
}

internal static class UsageLedgerChatClientExtensions
{
    public static ChatClientBuilder UseUsageLedger(this ChatClientBuilder builder) =>
        builder.Use((inner, services) => new UsageLedgerChatClient(inner,
            services.GetRequiredService<LedgerWriter>(), services.GetRequiredService<PricingTable>(), services.GetRequiredService<TokenCounter>(),
            services.GetRequiredService<IOptions<LlmOptions>>(), services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<CodeMentorMetrics>(), services.GetRequiredService<SharedState.NodeIdentity>()));
}
