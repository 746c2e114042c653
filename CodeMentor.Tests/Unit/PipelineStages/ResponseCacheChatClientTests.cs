using CodeMentor.Core.Llm;
using CodeMentor.Core.Llm.Pipeline;
using CodeMentor.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;
using static CodeMentor.Tests.Unit.PipelineStages.InnerStub;

namespace CodeMentor.Tests.Unit.PipelineStages;

/// <summary>The cache stage alone: a complete reply is kept with who wrote it and what it used; a
/// hit says so on its first update and ends with the original usage; an unfinished reply is not kept.</summary>
public sealed class ResponseCacheChatClientTests : IAsyncLifetime
{
    private CoreHost _host = default!;

    public async Task InitializeAsync() => _host = await CoreHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private ResponseCacheChatClient Cache(IChatClient inner) =>
        new(inner, _host.Get<HybridCache>(), _host.Get<IOptionsMonitor<LlmOptions>>(), _host.Get<LlmStatus>());

    [Fact]
    public async Task A_hit_is_marked_on_its_first_update_and_ends_with_the_original_usage()
    {
        var written = new InnerStub([Text("Loops repeat.").With(CallFacts.Provider, "groq"), End(30, 7)]);
        await Cache(written).GetResponseAsync(Ask("Loops?"), For("ada"));

        var untouched = new InnerStub([Text("should not be asked")]);
        var (updates, _) = await Cache(untouched).GetStreamingResponseAsync(Ask("Loops?"), For("bob")).ReadAllAsync();

        Assert.Empty(untouched.Calls);
        Assert.True(updates[0].Get<bool>(CallFacts.CacheHit));
        Assert.Equal("groq", updates[0].Get<string>(CallFacts.Provider));
        var response = updates.ToChatResponse();
        Assert.Equal("Loops repeat.", response.Text);
        Assert.Equal((30L, 7L), (response.Usage!.InputTokenCount!.Value, response.Usage.OutputTokenCount!.Value));
    }

    [Fact]
    public async Task A_reply_cut_at_the_length_limit_is_not_kept()
    {
        var cut = new ChatResponseUpdate { Role = ChatRole.Assistant, FinishReason = ChatFinishReason.Length };
        await Cache(new InnerStub([Text("Half an ans"), cut])).GetResponseAsync(Ask("Explain"), For("ada"));

        var asked = new InnerStub([Text("Fresh."), End(1, 1)]);
        await Cache(asked).GetResponseAsync(Ask("Explain"), For("ada"));
        Assert.Single(asked.Calls);
    }
}
