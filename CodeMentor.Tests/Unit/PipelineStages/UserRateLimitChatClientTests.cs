using CodeMentor.Core.Llm;
using CodeMentor.Core.Llm.Pipeline;
using CodeMentor.Core.RateLimiting;
using CodeMentor.Core.Tokens;
using CodeMentor.Tests.Support;
using Microsoft.Extensions.AI;
using static CodeMentor.Tests.Unit.PipelineStages.InnerStub;

namespace CodeMentor.Tests.Unit.PipelineStages;

/// <summary>The limits stage alone: a refusal costs no inner call, and the daily token budget counts
/// the tokens a reply reports on the stream, but not a cache hit's.</summary>
public sealed class UserRateLimitChatClientTests : IAsyncLifetime
{
    private CoreHost _host = default!;

    public async Task InitializeAsync() => _host = await CoreHost.StartAsync(new Dictionary<string, string?>
    {
        ["RateLimits:RequestsPerMinute"] = "2",
        ["RateLimits:DailyTokenBudget"] = "1000",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private UserRateLimitChatClient Limits(IChatClient inner) => new(inner, _host.Get<UserRateLimiter>(), _host.Get<IUserLimitsSource>(), _host.Get<TokenCounter>());

    private async Task<long?> TokensLeftAsync(string user) =>
        (await _host.Get<UserRateLimiter>().StatusAsync(user, await _host.Get<IUserLimitsSource>().GetAsync(user))).TokensRemaining;

    [Fact]
    public async Task A_refusal_reaches_no_inner_stage_and_tokens_count_unless_cached()
    {
        var fresh = new InnerStub([Text("Answer."), End(100, 50)]);
        await Limits(fresh).GetResponseAsync(Ask("One"), For("ada"));
        Assert.Equal(850, await TokensLeftAsync("ada"));

        var cached = new InnerStub([Text("Answer.").With(CallFacts.CacheHit, true), End(100, 50)]);
        await Limits(cached).GetResponseAsync(Ask("Two"), For("ada"));
        Assert.Equal(850, await TokensLeftAsync("ada"));

        var refused = new InnerStub([Text("never")]);
        var (_, error) = await Limits(refused).GetStreamingResponseAsync(Ask("Three"), For("ada")).ReadAllAsync();
        Assert.Equal(LlmFailureCategory.QuotaExceeded, Assert.IsType<LlmException>(error).Category);
        Assert.Empty(refused.Calls);
    }

    [Fact]
    public async Task A_reply_stopped_before_its_usage_arrived_still_counts_what_was_sent_and_seen()
    {
        var counter = _host.Get<TokenCounter>();
        var answer = "A list keeps its items in order; a set keeps each item once.";
        var inner = new InnerStub([Text(answer).With(CallFacts.PromptTokens, 120), Text(" And more.")]);
        using var stop = new CancellationTokenSource();
        await foreach (var _ in Limits(inner).GetStreamingResponseAsync(Ask("Lists or sets?"), For("bo"), stop.Token))
        {
            break; // the learner pressed Stop after the first words
        }
        Assert.Equal(1000 - 120 - counter.CountText(answer), await TokensLeftAsync("bo"));
    }
}
