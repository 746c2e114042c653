using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CodeMentor.Core.Llm.Pipeline;

/// <summary>A complete reply as the cache keeps it.</summary>
internal sealed record CachedReply(string Text, string? Reasoning, string? Provider, string? Model,
    long InputTokens, long OutputTokens, long ReasoningTokens, long CachedInputTokens);

/// <summary>
/// Caches complete, successful replies in HybridCache (in memory by default), keyed by SHA-256 of
/// the canonical request: messages after windowing, model, provider chain and every option that
/// changes the answer. A hit streams to the page like a live reply. Regenerate bypasses the cache.
/// </summary>
internal sealed class ResponseCacheChatClient(IChatClient inner, HybridCache cache, IOptionsMonitor<LlmOptions> options, LlmStatus status)
    : DelegatingChatClient(inner)
{
    private const int ReplayChunkLength = 24;

    private static readonly HybridCacheEntryOptions ReadOnly = new()
    {
        Flags = HybridCacheEntryFlags.DisableLocalCacheWrite | HybridCacheEntryFlags.DisableDistributedCacheWrite,
    };

    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, chatOptions, cancellationToken).ToChatResponseAsync(cancellationToken);

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var ttl = TimeSpan.FromSeconds(options.CurrentValue.CacheTtlSeconds);
        var callOptions = chatOptions ?? new ChatOptions();
        var prompt = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var key = ttl > TimeSpan.Zero ? Key(prompt, callOptions) : null;

        if (key is not null && callOptions.GetRequestContext()?.BypassCache != true)
        {
            var hit = await cache.GetOrCreateAsync(key, static _ => ValueTask.FromResult<CachedReply?>(null), ReadOnly, cancellationToken: cancellationToken);
            if (hit is not null)
            {
                foreach (var update in Replay(hit))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    yield return update;
                }
                yield break;
            }
        }

        if (key is null)
        {
            // Caching is off: nothing to fold.
            await foreach (var update in base.GetStreamingResponseAsync(prompt, callOptions, cancellationToken))
            {
                yield return update;
            }
            yield break;
        }

        // What the reply is, folded from the updates passing through, to be cached when it is complete.
        var text = new StringBuilder();
        var reasoning = new StringBuilder();
        ChatFinishReason? finish = null;
        string? provider = null, model = null;
        UsageDetails? usage = null;
        await foreach (var update in base.GetStreamingResponseAsync(prompt, callOptions, cancellationToken))
        {
            foreach (var content in update.Contents.AsSpanOrList())
            {
                switch (content)
                {
                    case TextContent t: text.Append(t.Text); break;
                    case TextReasoningContent r: reasoning.Append(r.Text); break;
                    case UsageContent u: (usage ??= new UsageDetails()).Add(u.Details); break;
                }
            }
            provider ??= update.Get<string>(CallFacts.Provider);
            model = update.ModelId ?? model;
            finish = update.FinishReason ?? finish;
            yield return update;
        }

        // Only complete, successful replies: the stream ended normally and the model said it was done.
        if (finish == ChatFinishReason.Stop && text.Length > 0)
        {
            var reply = new CachedReply(text.ToString(), reasoning.Length > 0 ? reasoning.ToString() : null, provider, model,
                usage?.InputTokenCount ?? 0, usage?.OutputTokenCount ?? 0, usage?.ReasoningTokenCount ?? 0, usage?.CachedInputTokenCount ?? 0);
            await cache.SetAsync(key, reply, new HybridCacheEntryOptions { Expiration = ttl, LocalCacheExpiration = ttl }, cancellationToken: CancellationToken.None);
        }
    }

    /// <summary>The cached reply as a stream: marked as a hit on its first update (with the provider
    /// that wrote it), and ending with what the original reply used, for the ledger's "saved" figure.</summary>
    private static IEnumerable<ChatResponseUpdate> Replay(CachedReply hit)
    {
        var first = new ChatResponseUpdate { Role = ChatRole.Assistant, ModelId = hit.Model }
            .With(CallFacts.CacheHit, true).With(CallFacts.Attempts, 0).With(CallFacts.ProviderWait, TimeSpan.Zero);
        if (hit.Provider is not null)
        {
            first.With(CallFacts.Provider, hit.Provider);
        }
        if (hit.Reasoning is { Length: > 0 } thinking)
        {
            first.Contents.Add(new TextReasoningContent(thinking));
        }
        yield return first;
        for (var i = 0; i < hit.Text.Length; i += ReplayChunkLength)
        {
            var piece = hit.Text.Substring(i, Math.Min(ReplayChunkLength, hit.Text.Length - i));
            yield return new ChatResponseUpdate(ChatRole.Assistant, piece) { ModelId = hit.Model };
        }
        yield return new ChatResponseUpdate
        {
            Role = ChatRole.Assistant, ModelId = hit.Model, FinishReason = ChatFinishReason.Stop,
            Contents =
            [
                new UsageContent(new UsageDetails
                {
                    InputTokenCount = hit.InputTokens, OutputTokenCount = hit.OutputTokens,
                    ReasoningTokenCount = hit.ReasoningTokens, CachedInputTokenCount = hit.CachedInputTokens,
                }),
            ],
        };
    }

    /// <summary>SHA-256 over a canonical JSON of everything that changes the answer.</summary>
    internal string Key(IReadOnlyList<ChatMessage> messages, ChatOptions options)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", options.ModelId);
            json.WriteStartArray("providers");
            foreach (var provider in options.Get<IReadOnlyList<string>>(CallInputs.ProviderChain) is { Count: > 0 } chain ? chain : status.DefaultChain)
            {
                json.WriteStringValue(provider);
            }
            json.WriteEndArray();
            if (options.Temperature is { } temperature)
            {
                json.WriteNumber("temperature", temperature);
            }
            if (options.MaxOutputTokens is { } max)
            {
                json.WriteNumber("max_tokens", max);
            }
            if (options.TopP is { } topP)
            {
                json.WriteNumber("top_p", topP);
            }
            if (options.Seed is { } seed)
            {
                json.WriteNumber("seed", seed);
            }
            json.WriteString("reasoning_effort", options.Reasoning?.Effort?.ToString());
            json.WriteString("reasoning_output", options.Reasoning?.Output?.ToString());
            json.WriteString("response_format", options.ResponseFormat?.GetType().Name);
            json.WriteStartArray("stop");
            foreach (var stop in options.StopSequences ?? [])
            {
                json.WriteStringValue(stop);
            }
            json.WriteEndArray();
            json.WriteStartArray("messages");
            foreach (var message in messages)
            {
                json.WriteStartArray();
                json.WriteStringValue(message.Role.Value);
                json.WriteStringValue(message.Text);
                json.WriteEndArray();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return "codementor:reply:" + Convert.ToHexString(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
    }
}

internal static class ResponseCacheChatClientExtensions
{
    public static ChatClientBuilder UseResponseCache(this ChatClientBuilder builder) =>
        builder.Use((inner, services) => new ResponseCacheChatClient(inner,
            services.GetRequiredService<HybridCache>(), services.GetRequiredService<IOptionsMonitor<LlmOptions>>(),
            services.GetRequiredService<LlmStatus>()));
}
