using CodeMentor.Core.Llm;
using CodeMentor.Core.Llm.Context;
using CodeMentor.Core.Llm.Pipeline;
using CodeMentor.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using static CodeMentor.Tests.Unit.PipelineStages.InnerStub;

namespace CodeMentor.Tests.Unit.PipelineStages;

/// <summary>The routing stage alone: the feature's route reaches the stages inside as inputs on a
/// copy of the options; the caller's options are never changed.</summary>
public sealed class FeatureRoutingChatClientTests : IAsyncLifetime
{
    private CoreHost _host = default!;

    public async Task InitializeAsync() => _host = await CoreHost.StartAsync(new Dictionary<string, string?>
    {
        ["Llm:Routing:hint:Model"] = "openai/gpt-oss-120b",
        ["Llm:Routing:hint:Providers:0"] = "OpenAI",
        ["Llm:Routing:hint:Providers:1"] = "groq",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_features_route_goes_down_on_a_copy_of_the_options()
    {
        var inner = new InnerStub([Text("Hint.")]);
        var options = For("ada", "hint");
        await new FeatureRoutingChatClient(inner, _host.Get<IOptionsMonitor<LlmOptions>>()).GetResponseAsync(Ask("Hint?"), options);

        var sent = inner.Calls.Single().Options!;
        Assert.Equal("openai/gpt-oss-120b", sent.ModelId);
        Assert.Equal(["openai", "groq"], sent.Get<IReadOnlyList<string>>(CallInputs.ProviderChain));
        Assert.Null(options.ModelId);
        Assert.False(options.AdditionalProperties!.ContainsKey(CallInputs.ProviderChain));
    }
}
