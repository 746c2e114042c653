using CodeMentor.Core.Llm;
using CodeMentor.Core.Llm.Context;
using CodeMentor.Core.Llm.Pipeline;
using CodeMentor.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using static CodeMentor.Tests.Unit.PipelineStages.InnerStub;

namespace CodeMentor.Tests.Unit.PipelineStages;

/// <summary>The context window stage alone: the windowed prompt goes down with its token count,
/// the count goes up on the first update, and a message no model could read is refused.</summary>
public sealed class ContextWindowChatClientTests : IAsyncLifetime
{
    private CoreHost _host = default!;

    public async Task InitializeAsync() => _host = await CoreHost.StartAsync(new Dictionary<string, string?> { ["Llm:Context:MaxMessages"] = "2" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private ContextWindowChatClient Window(IChatClient inner) => new(inner, _host.Get<ContextWindow>(), _host.Get<IOptions<LlmOptions>>());

    [Fact]
    public async Task The_window_and_its_count_go_down_and_the_count_comes_back_up()
    {
        var inner = new InnerStub([Text("A"), Text("B")]);
        List<ChatMessage> long_ = [new(ChatRole.System, "Tutor."), .. Enumerable.Range(1, 6).Select(i => new ChatMessage(i % 2 == 1 ? ChatRole.User : ChatRole.Assistant, $"Message {i}"))];

        var (updates, _) = await Window(inner).GetStreamingResponseAsync(long_, For("ada")).ReadAllAsync();

        var (sent, options) = inner.Calls.Single();
        Assert.Equal(["Tutor.", "Message 5", "Message 6"], sent.Select(m => m.Text));
        var count = options.Get<int?>(CallFacts.PromptTokens);
        Assert.True(count > 0);
        Assert.Equal(count, updates[0].Get<int?>(CallFacts.PromptTokens));
        Assert.Null(updates[1].Get<int?>(CallFacts.PromptTokens));
    }

    [Fact]
    public async Task A_message_beyond_the_models_context_is_refused_before_the_inner_stages()
    {
        var inner = new InnerStub([Text("never")]);
        var huge = string.Concat(Enumerable.Repeat("word ", 140_000));
        var (_, error) = await Window(inner).GetStreamingResponseAsync(Ask(huge), For("ada")).ReadAllAsync();

        Assert.Equal(LlmFailureCategory.ContextTooLarge, Assert.IsType<LlmException>(error).Category);
        Assert.Empty(inner.Calls);
    }
}
