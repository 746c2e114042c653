using CodeMentor.Testing;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using CodeMentor.Core.Data;
using CodeMentor.Core.Tutoring;
using CodeMentor.Core.Usage;
using CodeMentor.Tests.Support;
using CodeMentor.Web.Hubs;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CodeMentor.Tests.Startup;

/// <summary>
/// The server killed outright (SIGKILL) in the middle of a reply, then started again: the reply
/// keeps the text of its last checkpoint and says what happened, and the cut-off model call is in
/// the ledger, marked interrupted and estimated.
/// </summary>
public sealed partial class HardKillTests : IAsyncLifetime
{
    private readonly string _folder = TempFolder.Create();
    private FakeGroqServer _groq = default!;
    private readonly StartupTests _starter = new();
    private static readonly string LongReply = string.Concat(Enumerable.Range(1, 120).Select(i => $"Sentence {i}. "));

    public async Task InitializeAsync()
    {
        _groq = await FakeGroqServer.StartAsync();
        // A long, slow reply: about 12 seconds of pieces.
        _groq.Default = FakeGroqServer.Reply(GroqStream.Reply(LongReply, pieceLength: 6), TimeSpan.FromMilliseconds(40));
    }

    public async Task DisposeAsync()
    {
        await _groq.DisposeAsync();
        _starter.Dispose();
        TempFolder.Delete(_folder);
    }

    private Process StartApp(int port) => _starter.Start(new()
    {
        ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
        ["CODEMENTOR_DB"] = Path.Combine(_folder, "kill.db"),
        ["GROQ_API_KEY"] = FakeGroqServer.Key,
        ["GROQ_BASE_URL"] = _groq.BaseUri.ToString(),
        ["LLM_CHECKPOINT_SECONDS"] = "0.5",
    });

    private static async Task WaitUntilUpAsync(HttpClient http) =>
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return (await http.GetAsync("/account/login")).StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "the portal to start");

    [Fact]
    public async Task A_reply_cut_by_a_hard_kill_keeps_its_checkpointed_text_and_its_call_is_in_the_ledger()
    {
        var port = LocalPort.Free();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var app = StartApp(port);
        Guid conversation;
        string streamed;
        try
        {
            await WaitUntilUpAsync(http);
            var form = await http.GetStringAsync("/account/register");
            var register = await http.PostAsync("/account/register", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = AntiforgeryField().Match(form).Groups[1].Value, ["_handler"] = "register",
                ["Input.Email"] = "ada@example.org", ["Input.Password"] = "correct-horse-42", ["Input.ConfirmPassword"] = "correct-horse-42",
            }));
            Assert.True(register.IsSuccessStatusCode, $"registration answered {(int)register.StatusCode}");
            (conversation, streamed) = await AskForThreeSecondsAsync(http, port);
        }
        finally
        {
            app.Kill(entireProcessTree: true); // SIGKILL: no shutdown code runs
            await app.WaitForExitAsync();
        }

        var restarted = StartApp(port);
        try
        {
            await WaitUntilUpAsync(http);
            var options = new DbContextOptionsBuilder<AppDbContext>().UseSqlite($"Data Source={Path.Combine(_folder, "kill.db")}").Options;
            await using var db = new AppDbContext(options);

            var reply = await db.Messages.Where(m => m.ConversationId == conversation && m.Role == MessageRole.Assistant).OrderBy(m => m.Id).LastAsync();
            Assert.Equal(MessageStatus.Failed, reply.Status);
            Assert.Equal("The server restarted during this reply. The text so far was kept; use Regenerate to try again.", reply.StatusDetail);
            Assert.StartsWith("Sentence 1.", reply.Content);
            // At most a checkpoint interval (0.5 s of a 40 ms-a-piece stream) behind what the client saw.
            Assert.True(streamed.StartsWith(reply.Content, StringComparison.Ordinal) || reply.Content.StartsWith(streamed, StringComparison.Ordinal));

            var row = await db.Ledger.SingleAsync(r => r.ConversationId == conversation);
            Assert.Equal(LedgerOutcomes.Interrupted, row.Outcome);
            Assert.True(row.Estimated);
            Assert.True(row.OutputTokens > 0, "what the provider had sent is counted");
            Assert.True(row.InputTokens > 0, "the prompt is counted");
            Assert.Empty(await db.InFlightCalls.ToListAsync());
        }
        finally
        {
            restarted.Kill(entireProcessTree: true);
            await restarted.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task With_several_nodes_a_surviving_node_marks_a_killed_nodes_reply_and_records_its_call()
    {
        var postgres = await PostgresServer.SharedAsync();
        var database = await postgres.CreateDatabaseAsync();
        await using var redis = await RedisServer.StartAsync();
        var port = LocalPort.Free();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var nodeA = _starter.Start(new()
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["CODEMENTOR_DB_PROVIDER"] = "postgres", ["CODEMENTOR_DB_CONNECTION"] = database, ["REDIS_URL"] = redis.Url,
            ["GROQ_API_KEY"] = FakeGroqServer.Key, ["GROQ_BASE_URL"] = _groq.BaseUri.ToString(), ["LLM_CHECKPOINT_SECONDS"] = "0.5",
        });
        try
        {
            await WaitUntilUpAsync(http);
            await using var nodeB = await KestrelPortal.StartAsync(new Dictionary<string, string?>
            {
                [DatabaseEngine.ProviderKey] = "postgres", ["ConnectionStrings:CodeMentor"] = database,
                [CodeMentor.Core.SharedState.RedisSettings.ConfigurationKey] = redis.Url,
            });
            var ada = await nodeB.RegisterAsync("ada@example.org");
            var (conversation, _) = await AskForThreeSecondsAsync(http, port);

            nodeA.Kill(entireProcessTree: true); // SIGKILL: node A never says goodbye

            // Node B notices A's heartbeat stop and takes over what it left, without any restart.
            var store = nodeB.Services.GetRequiredService<ConversationStore>();
            ConversationMessage? reply = null;
            await Eventually.TrueAsync(async () =>
            {
                reply = (await store.GetAsync(ada, conversation))!.Messages[^1];
                return reply.Status != MessageStatus.Streaming;
            }, TimeSpan.FromSeconds(60), "node B to mark node A's reply");
            Assert.Equal(MessageStatus.Failed, reply!.Status);
            Assert.Equal(OrphanedReplies.NodeLostDetail + " The text so far was kept; use Regenerate to try again.", reply.StatusDetail);
            // What node A had checkpointed (every 0.5 s): on a loaded machine that can be the first piece only.
            Assert.NotEmpty(reply.Content);
            Assert.StartsWith(reply.Content, LongReply);

            // The cut-off call is recorded in the same sweep, in its own transaction just after.
            LedgerPage ledger = default!;
            await Eventually.TrueAsync(async () =>
            {
                ledger = await nodeB.Services.GetRequiredService<UsageQueries>().LedgerPageAsync(new LedgerFilter(UsagePeriod.Today(TimeProvider.System)), 0, 10);
                return ledger.Rows.Count > 0;
            }, TimeSpan.FromSeconds(30), "node B to record node A's cut-off call");
            var row = Assert.Single(ledger.Rows);
            Assert.Equal((LedgerOutcomes.Interrupted, true), (row.Outcome, row.Estimated));
            Assert.True(row.OutputTokens > 0, "what the provider had sent is counted");
        }
        finally
        {
            nodeA.Kill(entireProcessTree: true);
            await nodeA.WaitForExitAsync();
            await postgres.DropDatabaseAsync(database);
        }
    }

    /// <summary>Ada signs in for a bearer token, asks on the hub, and reads the reply for three seconds
    /// (several checkpoints written by then); returns the conversation and the text received.</summary>
    private static async Task<(Guid Conversation, string Streamed)> AskForThreeSecondsAsync(HttpClient http, int port)
    {
        var token = (await (await http.PostAsJsonAsync("/api/auth/token", new { email = "ada@example.org", password = "correct-horse-42" }))
            .Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
        await using var hub = new HubConnectionBuilder()
            .WithUrl($"http://127.0.0.1:{port}{TutorHub.Path}", o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        await hub.StartAsync();
        var conversation = await hub.InvokeAsync<Guid>("StartConversation");
        var received = new System.Text.StringBuilder();
        var watch = Stopwatch.StartNew();
        await foreach (var item in hub.StreamAsync<TutorStreamItem>("Ask", conversation, "Tell me everything"))
        {
            received.Append(item.Kind == "text" ? item.Text : "");
            // Three seconds, and at least ~1.3 s of the reply's pieces (6 characters every 40 ms), so that the node
            // has checkpointed text and reported progress (every 0.5 s) before it is killed: a cold node on a
            // loaded machine can take most of the three seconds to start the reply.
            if (watch.Elapsed > TimeSpan.FromSeconds(3) && received.Length >= 200)
            {
                break;
            }
        }
        return (conversation, received.ToString());
    }

    private sealed record TokenResponse(string AccessToken);

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
