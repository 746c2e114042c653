using System.Runtime.CompilerServices;
using CodeMentor.Core.RateLimiting;
using CodeMentor.Core.Tokens;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace CodeMentor.Core.Llm.Pipeline;

/// <summary>
/// Enforces each learner's limits (requests per minute and per day, optional daily token budget)
/// before anything else happens. A refusal costs nothing: no provider call, and the caller keeps
/// the learner's message. The tokens of each call count against the daily budget.
/// </summary>
internal sealed class UserRateLimitChatClient(IChatClient inner, UserRateLimiter limiter, IUserLimitsSource limits, TokenCounter counter)
    : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var userId = options.GetRequestContext()?.UserId;
        if (userId is not null)
        {
            await limiter.EnsureLoadedAsync(userId, cancellationToken);
            var decision = await limiter.TryAcquireAsync(userId, await limits.GetAsync(userId, cancellationToken), cancellationToken);
            if (!decision.Allowed)
            {
                throw new LlmException(LlmFailureCategory.QuotaExceeded, decision.Message!, retryAfter: decision.RetryAfter);
            }
        }

        // The tokens a reply used count against the daily token budget (by the ledger's rule: a cache hit used none).
        using var used = new CallTokens(counter);
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
            {
                used.Observe(update);
                yield return update;
            }
        }
        finally
        {
            if (userId is not null)
            {
                await limiter.RecordTokensAsync(userId, used.Billed, CancellationToken.None);
            }
        }
    }
}

internal static class UserRateLimitChatClientExtensions
{
    public static ChatClientBuilder UseUserRateLimits(this ChatClientBuilder builder) =>
        builder.Use((inner, services) => new UserRateLimitChatClient(inner,
            services.GetRequiredService<UserRateLimiter>(), services.GetRequiredService<IUserLimitsSource>(),
            services.GetRequiredService<TokenCounter>()));
}
