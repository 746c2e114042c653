using CodeMentor.Core.Llm;
using CodeMentor.Core.Usage;
using CodeMentor.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CodeMentor.Tests.Integration;

/// <summary>The whole LLM pipeline as the app composes it, against fake Groq (and optionally a
/// fake local OpenAI-compatible fallback) over real HTTP, on a fake clock.</summary>
public sealed class PipelineHost : IAsyncDisposable
{
    private PipelineHost(CoreHost host, FakeGroqServer groq, FakeGroqServer? local, FakeTimeProvider clock)
    {
        Host = host;
        Groq = groq;
        Local = local;
        Clock = clock;
    }

    public CoreHost Host { get; }
    public FakeGroqServer Groq { get; }
    public FakeGroqServer? Local { get; }
    public FakeTimeProvider Clock { get; }
    public IChatClient Pipeline => Host.Get<IChatClient>();

    public static async Task<PipelineHost> StartAsync(bool withFallback = false, Dictionary<string, string?>? settings = null)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T12:00:00Z"));
        var groq = await FakeGroqServer.StartAsync();
        var local = withFallback ? await FakeGroqServer.StartAsync() : null;
        var values = new Dictionary<string, string?>
        {
            ["Llm:Groq:ApiKey"] = FakeGroqServer.Key,
            ["Llm:Groq:Endpoint"] = groq.BaseUri.ToString(),
        };
        if (local is not null)
        {
            values["Llm:FallbackProvider"] = "openai";
            values["Llm:OpenAI:Endpoint"] = local.BaseUri.ToString();
            values["Llm:OpenAI:ApiKey"] = FakeGroqServer.Key;
            values["Llm:OpenAI:Model"] = "llama-local";
        }
        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }
        var host = await CoreHost.StartAsync(values, s => s.AddSingleton<TimeProvider>(clock));
        await host.Get<LedgerWriter>().StartAsync(CancellationToken.None);
        return new PipelineHost(host, groq, local, clock);
    }

    public static List<ChatMessage> Ask(string question) =>
        [new(ChatRole.System, "You are a tutor."), new(ChatRole.User, question)];

    public static ChatOptions For(string user, bool bypassCache = false, string feature = "chat") =>
        new ChatOptions().WithRequestContext(new LlmRequestContext(user, feature, null, bypassCache));

    public async Task<List<LedgerEntry>> LedgerAsync()
    {
        await Host.Get<LedgerWriter>().FlushAsync();
        await using var db = await Host.DbAsync();
        return db.Ledger.OrderBy(e => e.Id).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await Host.Get<LedgerWriter>().StopAsync(CancellationToken.None);
        await Host.DisposeAsync();
        await Groq.DisposeAsync();
        if (Local is not null)
        {
            await Local.DisposeAsync();
        }
    }
}
