using CodeMentor.Core.Llm;
using CodeMentor.Core.Llm.Pipeline;
using CodeMentor.Core.RateLimiting;
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

    private UserRateLimitChatClient Limits(IChatClient inner) => new(inner, _host.Get<UserRateLimiter>(), _host.Get<IUserLimitsSource>());

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
}
