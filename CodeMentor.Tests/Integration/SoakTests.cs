using System.Collections.Concurrent;
using System.Net.Http.Json;
using CodeMentor.Core.Accounts;
using CodeMentor.Core.Data;
using CodeMentor.Core.Tutoring;
using CodeMentor.Core.Usage;
using CodeMentor.Tests.Support;
using CodeMentor.Web.Hubs;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CodeMentor.Tests.Integration;

/// <summary>
/// In the spirit of the independent acceptance run, bounded in time: many simulated learners ask
/// at once through the hub while the fake Groq server injects faults (500s, 429s with
/// retry-after, streams cut off mid-reply). Nothing a learner sent may be lost or saved twice,
/// every request gets exactly one ledger row, and no reply may be left "streaming".
/// </summary>
public sealed class SoakTests : IAsyncLifetime
{
    private const int Learners = 24;
    private const int QuestionsEach = 4;

    private readonly string _folder = TempFolder.Create();
    private FakeGroqServer _groq = default!;
    private WebApplicationFactory<Program> _app = default!;
    private int _requests;

    public async Task InitializeAsync()
    {
        _groq = await FakeGroqServer.StartAsync();
        _groq.Default = InjectFaults;
        _app = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:CodeMentor", $"Data Source={Path.Combine(_folder, "soak.db")}");
            web.UseSetting("Llm:Groq:ApiKey", FakeGroqServer.Key);
            web.UseSetting("Llm:Groq:Endpoint", _groq.BaseUri.ToString());
            web.UseSetting("Llm:CacheTtlSeconds", "0");
            web.UseSetting("Llm:MaxRetries", "1");
            web.UseSetting("Llm:Resilience:BaseDelaySeconds", "0.05");
            web.UseSetting("RateLimits:RequestsPerMinute", "1000");
        });
        _ = _app.Server;
    }

    /// <summary>One request in seven fails with a 500, one in eleven is told to wait a second
    /// (429), one in thirteen is cut off after a few chunks; the rest stream a short reply.</summary>
    private async Task InjectFaults(HttpContext context)
    {
        var n = Interlocked.Increment(ref _requests);
        var question = (string?)FakeGroqServer.RequestOf(context)["messages"]!.AsArray()[^1]!["content"] ?? "";
        if (n % 7 == 0)
        {
            await FakeGroqServer.Error(500, "Internal Server Error", "internal_server_error")(context);
        }
        else if (n % 11 == 0)
        {
            await FakeGroqServer.Error(429, "Rate limit reached", "rate_limit_exceeded", retryAfter: "1")(context);
        }
        else if (n % 13 == 0)
        {
            var events = GroqStream.Reply("This reply will be cut off part way through.", pieceLength: 5);
            await FakeGroqServer.Reply(events.Take(4).ToList())(context); // no final chunk, no [DONE]
        }
        else
        {
            await FakeGroqServer.Reply(GroqStream.Reply($"Answer to: {question}", pieceLength: 8), TimeSpan.FromMilliseconds(2))(context);
        }
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _groq.DisposeAsync();
        TempFolder.Delete(_folder);
    }

    private HubConnection Connect(string token) => new HubConnectionBuilder()
        .WithUrl(new Uri(_app.Server.BaseAddress, TutorHub.Path.TrimStart('/')), o =>
        {
            o.HttpMessageHandlerFactory = _ => _app.Server.CreateHandler();
            o.Transports = HttpTransportType.LongPolling;
            o.AccessTokenProvider = () => Task.FromResult<string?>(token);
        })
        .Build();

    private sealed record TokenResponse(string AccessToken);

    [Fact]
    public async Task Many_learners_with_injected_faults_lose_nothing_duplicate_nothing_and_leave_nothing_streaming()
    {
        var tokens = new List<string>();
        using (var scope = _app.Services.CreateScope())
        {
            var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
            for (var i = 0; i < Learners; i++)
            {
                Assert.True((await accounts.RegisterAsync($"learner{i}@example.org", "correct-horse-42")).Succeeded);
            }
        }
        var http = _app.CreateClient();
        for (var i = 0; i < Learners; i++)
        {
            var response = await http.PostAsJsonAsync("/api/auth/token", new { email = $"learner{i}@example.org", password = "correct-horse-42" });
            tokens.Add((await response.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken);
        }

        var outcomes = new ConcurrentBag<(Guid Conversation, string Question, string? Status)>();
        await Task.WhenAll(tokens.Select(async (token, learner) =>
        {
            await using var hub = Connect(token);
            await hub.StartAsync();
            var conversation = await hub.InvokeAsync<Guid>("StartConversation");
            for (var q = 0; q < QuestionsEach; q++)
            {
                var question = $"Question {q} from learner {learner}";
                string? status = null;
                await foreach (var item in hub.StreamAsync<TutorStreamItem>("Ask", conversation, question))
                {
                    status = item.Kind == "done" ? item.Status : status;
                }
                outcomes.Add((conversation, question, status));
            }
        }));

        // Every question got an end; the ledger and the database agree with what was asked.
        Assert.Equal(Learners * QuestionsEach, outcomes.Count);
        Assert.All(outcomes, o => Assert.Contains(o.Status, new[] { "Complete", "Failed" }));
        Assert.Contains(outcomes, o => o.Status == "Failed"); // the faults really happened
        Assert.Contains(outcomes, o => o.Status == "Complete");

        await _app.Services.GetRequiredService<LedgerWriter>().FlushAsync();
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var learnerMessages = await db.Messages.Where(m => m.Role == MessageRole.User).Select(m => new { m.ConversationId, m.Content }).ToListAsync();
        foreach (var (conversation, question, _) in outcomes)
        {
            Assert.Single(learnerMessages, m => m.ConversationId == conversation && m.Content == question); // saved exactly once
        }
        Assert.Equal(Learners * QuestionsEach, learnerMessages.Count);
        Assert.Equal(0, await db.Messages.CountAsync(m => m.Status == MessageStatus.Streaming));
        // One reply per question, besides each conversation's greeting.
        Assert.Equal(Learners * QuestionsEach + Learners, await db.Messages.CountAsync(m => m.Role == MessageRole.Assistant));
        Assert.Equal(Learners * QuestionsEach, await db.Ledger.CountAsync()); // one row per request
        Assert.Equal(0, await db.InFlightCalls.CountAsync());
        var failedReplies = await db.Messages.Where(m => m.Role == MessageRole.Assistant && m.Status == MessageStatus.Failed).ToListAsync();
        Assert.All(failedReplies, m => Assert.Contains("use Regenerate", m.StatusDetail));
    }
}
