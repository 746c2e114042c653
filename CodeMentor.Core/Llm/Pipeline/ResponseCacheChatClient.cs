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
        var (callOptions, trace) = chatOptions.EnsureTrace();
        var prompt = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var key = ttl > TimeSpan.Zero ? Key(prompt, callOptions, trace) : null;

        if (key is not null && callOptions.GetRequestContext()?.BypassCache != true)
        {
            var hit = await cache.GetOrCreateAsync(key, static _ => ValueTask.FromResult<CachedReply?>(null), ReadOnly, cancellationToken: cancellationToken);
            if (hit is not null)
            {
                trace.CacheHit = true;
                trace.Provider = hit.Provider;
                trace.Model = hit.Model;
                trace.Usage = new UsageDetails
                {
                    InputTokenCount = hit.InputTokens, OutputTokenCount = hit.OutputTokens,
                    ReasoningTokenCount = hit.ReasoningTokens, CachedInputTokenCount = hit.CachedInputTokens,
                };
                foreach (var update in Replay(hit))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    yield return update;
                }
                yield break;
            }
        }

        var text = new StringBuilder();
        var reasoning = new StringBuilder();
        ChatFinishReason? finish = null;
        await foreach (var update in base.GetStreamingResponseAsync(prompt, callOptions, cancellationToken))
        {
            foreach (var content in update.Contents.AsSpanOrList())
            {
                if (content is TextContent t)
                {
                    text.Append(t.Text);
                }
                else if (content is TextReasoningContent r)
                {
                    reasoning.Append(r.Text);
                }
            }
            finish = update.FinishReason ?? finish;
            yield return update;
        }

        // Only complete, successful replies: the stream ended normally and the model said it was done.
        if (key is not null && finish == ChatFinishReason.Stop && text.Length > 0)
        {
            var usage = trace.Usage;
            var reply = new CachedReply(text.ToString(), reasoning.Length > 0 ? reasoning.ToString() : null, trace.Provider, trace.Model,
                usage?.InputTokenCount ?? 0, usage?.OutputTokenCount ?? 0, usage?.ReasoningTokenCount ?? 0, usage?.CachedInputTokenCount ?? 0);
            await cache.SetAsync(key, reply, new HybridCacheEntryOptions { Expiration = ttl, LocalCacheExpiration = ttl }, cancellationToken: CancellationToken.None);
        }
    }

    private static IEnumerable<ChatResponseUpdate> Replay(CachedReply hit)
    {
        if (hit.Reasoning is { Length: > 0 } thinking)
        {
            yield return new ChatResponseUpdate { Role = ChatRole.Assistant, ModelId = hit.Model, Contents = [new TextReasoningContent(thinking)] };
        }
        for (var i = 0; i < hit.Text.Length; i += ReplayChunkLength)
        {
            var piece = hit.Text.Substring(i, Math.Min(ReplayChunkLength, hit.Text.Length - i));
            yield return new ChatResponseUpdate(ChatRole.Assistant, piece) { ModelId = hit.Model };
        }
        yield return new ChatResponseUpdate { Role = ChatRole.Assistant, ModelId = hit.Model, FinishReason = ChatFinishReason.Stop };
    }

    /// <summary>SHA-256 over a canonical JSON of everything that changes the answer.</summary>
    internal string Key(IReadOnlyList<ChatMessage> messages, ChatOptions options, LlmCallTrace trace)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", options.ModelId);
            json.WriteStartArray("providers");
            foreach (var provider in trace.ProviderChain.Count > 0 ? trace.ProviderChain : status.DefaultChain)
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

public static class ResponseCacheChatClientExtensions
{
    public static ChatClientBuilder UseResponseCache(this ChatClientBuilder builder) =>
        builder.Use((inner, services) => new ResponseCacheChatClient(inner,
            services.GetRequiredService<HybridCache>(), services.GetRequiredService<IOptionsMonitor<LlmOptions>>(),
            services.GetRequiredService<LlmStatus>()));
}
