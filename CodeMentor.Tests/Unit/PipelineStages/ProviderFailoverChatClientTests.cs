using CodeMentor.Tests.Support;
using CodeMentor.Core.Llm;
using CodeMentor.Core.Llm.Pipeline;
using CodeMentor.Tests.Integration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using static CodeMentor.Tests.Unit.PipelineStages.InnerStub;

namespace CodeMentor.Tests.Unit.PipelineStages;

/// <summary>The failover stage alone, over the fake Groq server and a fake local fallback: it says
/// on its first update who answered after how many attempts, and on its exception when none did.</summary>
public sealed class ProviderFailoverChatClientTests
{
    [Fact]
    public async Task The_first_update_says_who_answered_and_after_how_many_attempts()
    {
        await using var host = await PipelineHost.StartAsync(withFallback: true);
        host.Groq.Default = FakeGroqServer.Error(500, "Internal Server Error", "internal_server_error");
        host.Local!.Default = FakeGroqServer.Reply(GroqStream.Reply("From the fallback."));
        var failover = host.Host.Get<ProviderFailoverChatClient>();

        var (updates, error) = await Task.Run(() => failover.GetStreamingResponseAsync(Ask("Hi"), For("ada")).ReadAllAsync()).WithClockAsync(host.Clock);

        Assert.Null(error);
        Assert.Equal("openai", updates[0].Get<string>(CallFacts.Provider));
        Assert.Equal(3, updates[0].Get<int>(CallFacts.Attempts)); // Groq, Groq's one quick retry, the fallback
        Assert.All(updates.Skip(1), u => Assert.Null(u.Get<string>(CallFacts.Provider)));
    }

    [Fact]
    public async Task When_no_provider_answers_the_exception_carries_the_tally()
    {
        await using var host = await PipelineHost.StartAsync(settings: new() { ["Llm:MaxRetries"] = "1" });
        host.Groq.Default = FakeGroqServer.Error(500, "Internal Server Error", "internal_server_error");
        var failover = host.Host.Get<ProviderFailoverChatClient>();

        var (updates, error) = await Task.Run(() => failover.GetStreamingResponseAsync(Ask("Hi"), For("ada")).ReadAllAsync()).WithClockAsync(host.Clock);

        Assert.Empty(updates);
        Assert.Equal(LlmFailureCategory.ServerError, Assert.IsType<LlmException>(error).Category);
        Assert.Equal(("groq", 2), (error!.Get<string>(CallFacts.Provider), error.Get<int>(CallFacts.Attempts)));
    }
}
