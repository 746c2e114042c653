using BenchmarkDotNet.Attributes;
using CodeMentor.Core;
using CodeMentor.Core.Data;
using CodeMentor.Core.Llm;
using CodeMentor.Core.Llm.Context;
using CodeMentor.Core.RateLimiting;
using CodeMentor.Core.Usage;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CodeMentor.Benchmarks;

/// <summary>
/// Issue targets: pipeline overhead per request vs the provider alone (≤ 0.3 ms median), a cache hit
/// end to end (≤ 0.5 ms), one rate-limit check (≤ 5 µs), the window of a 1,000-message conversation
/// at 4,000 tokens (≤ 1 ms).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[InProcess]
public class PipelineBenchmarks
{
    private ServiceProvider _services = default!;
    private IChatClient _pipeline = default!;
    private readonly InMemoryStreamChatClient _provider = new();
    private UserRateLimiter _limiter = default!;
    private ContextWindow _window = default!;
    private List<ChatMessage> _longConversation = default!;
    private List<ChatMessage> _longConversationUncounted = default!;
    private readonly UserLimits _limits = new(1_000_000_000, 1_000_000_000, null);
    private string _folder = "";
    private int _request;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "codementor-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:CodeMentor"] = $"Data Source={Path.Combine(_folder, "bench.db")}",
            ["Llm:Groq:ApiKey"] = "benchmark",
            ["RateLimits:RequestsPerMinute"] = "1000000000",
            ["RateLimits:RequestsPerDay"] = "1000000000",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Error));
        services.AddCodeMentorCore(configuration);
        services.AddKeyedSingleton<IChatClient>("groq", _provider);
        _services = services.BuildServiceProvider();
        foreach (var hosted in _services.GetServices<IHostedService>())
        {
            hosted.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
        _pipeline = _services.GetRequiredService<IChatClient>();
        _limiter = _services.GetRequiredService<UserRateLimiter>();
        _window = _services.GetRequiredService<ContextWindow>();

        // Messages as the conversation service loads them: token counts saved with each message.
        var tokens = _services.GetRequiredService<CodeMentor.Core.Tokens.TokenCounter>();
        _longConversationUncounted = [new ChatMessage(ChatRole.System, "You are a patient programming tutor.")];
        for (var i = 0; i < 1000; i++)
        {
            _longConversationUncounted.Add(new ChatMessage(i % 2 == 0 ? ChatRole.User : ChatRole.Assistant,
                $"Message {i}: a sentence or two about loops, functions and the bug in line {i}."));
        }
        _longConversation = _longConversationUncounted.Select(m => (ChatMessage)new CountedChatMessage(m.Role, m.Text, tokens.CountText(m.Text))).ToList();

        // Warm the cache for the hit benchmark.
        Drain(_pipeline.GetStreamingResponseAsync(Prompt("cached question"), Options()));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var hosted in _services.GetServices<IHostedService>())
        {
            hosted.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
        _services.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static List<ChatMessage> Prompt(string question) =>
        [new(ChatRole.System, "You are a patient programming tutor."), new(ChatRole.User, question)];

    private static ChatOptions Options() =>
        new ChatOptions { Temperature = 0.7f, MaxOutputTokens = 1024 }.WithRequestContext(new LlmRequestContext("bench-user", "chat"));

    private static int Drain(IAsyncEnumerable<ChatResponseUpdate> stream)
    {
        var count = 0;
        var e = stream.GetAsyncEnumerator();
        try
        {
            while (e.MoveNextAsync().AsTask().GetAwaiter().GetResult())
            {
                count++;
            }
        }
        finally
        {
            e.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return count;
    }

    [Benchmark(Baseline = true, Description = "Provider stream alone")]
    public int ProviderDirect() => Drain(_provider.GetStreamingResponseAsync(Prompt("question " + _request++), Options()));

    [Benchmark(Description = "Whole pipeline, cache miss")]
    public int PipelineMiss() => Drain(_pipeline.GetStreamingResponseAsync(Prompt("question " + _request++), Options()));

    [Benchmark(Description = "Whole pipeline, cache hit")]
    public int PipelineCacheHit() => Drain(_pipeline.GetStreamingResponseAsync(Prompt("cached question"), Options()));

    [Benchmark(Description = "One rate-limit check")]
    public bool RateLimitCheck() => _limiter.TryAcquireAsync("bench-user", _limits).GetAwaiter().GetResult().Allowed;

    [Benchmark(Description = "Window of 1,000 messages at 4,000 tokens (counts saved)")]
    public int Window1000() => _window.Select(_longConversation, 1000, 4000).Messages.Count;

    [Benchmark(Description = "Window of 1,000 messages at 4,000 tokens (tokenizing)")]
    public int Window1000Tokenizing() => _window.Select(_longConversationUncounted, 1000, 4000).Messages.Count;
}
