using System.Net;
using System.Net.Http.Json;
using CodeMentor.Core.Accounts;
using CodeMentor.Core.Usage;
using CodeMentor.Tests.Support;
using CodeMentor.Web.Hubs;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CodeMentor.Tests.Integration;

/// <summary>The SignalR tutor hub end to end: the real app (in-process test server), a real
/// SignalR client, bearer-token sign-in, the same pipeline and ledger as the web chat.</summary>
public sealed class TutorHubTests : IAsyncLifetime
{
    private readonly string _folder = TempFolder.Create();
    private FakeGroqServer _groq = default!;
    private WebApplicationFactory<Program> _app = default!;

    public async Task InitializeAsync()
    {
        _groq = await FakeGroqServer.StartAsync();
        _groq.Default = FakeGroqServer.Reply(GroqStream.Reply("Loops repeat code until a condition changes.", reasoning: "Short answer."));
        _app = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:CodeMentor", $"Data Source={Path.Combine(_folder, "hub.db")}");
            web.UseSetting("Llm:Groq:ApiKey", FakeGroqServer.Key);
            web.UseSetting("Llm:Groq:Endpoint", _groq.BaseUri.ToString());
        });
        _ = _app.Server; // starts the app: migrations run
        using var scope = _app.Services.CreateScope();
        var result = await scope.ServiceProvider.GetRequiredService<AccountService>().RegisterAsync("ada@example.org", "correct-horse-42");
        Assert.True(result.Succeeded);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _groq.DisposeAsync();
        TempFolder.Delete(_folder);
    }

    private HubConnection Connect(string? token) => new HubConnectionBuilder()
        .WithUrl(new Uri(_app.Server.BaseAddress, TutorHub.Path.TrimStart('/')), o =>
        {
            o.HttpMessageHandlerFactory = _ => _app.Server.CreateHandler();
            o.Transports = HttpTransportType.LongPolling;
            if (token is not null)
            {
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            }
        })
        .Build();

    private async Task<string> TokenAsync(string password = "correct-horse-42")
    {
        var response = await _app.CreateClient().PostAsJsonAsync("/api/auth/token", new { email = "ada@example.org", password });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
    }

    private sealed record TokenResponse(string AccessToken);

    [Fact]
    public async Task Streams_a_tutor_reply_through_the_same_pipeline_and_ledger()
    {
        await using var hub = Connect(await TokenAsync());
        await hub.StartAsync();

        var conversation = await hub.InvokeAsync<Guid>("StartConversation");
        var items = new List<TutorStreamItem>();
        await foreach (var item in hub.StreamAsync<TutorStreamItem>("Ask", conversation, "What is a loop?"))
        {
            items.Add(item);
        }

        Assert.Equal("Loops repeat code until a condition changes.", string.Concat(items.Where(i => i.Kind == "text").Select(i => i.Text)));
        Assert.Equal("Short answer.", string.Concat(items.Where(i => i.Kind == "reasoning").Select(i => i.Text)));
        var done = items[^1];
        Assert.Equal(("done", "Complete"), (done.Kind, done.Status));
        Assert.NotNull(done.CostUsd);

        // Saved like a web chat turn, and recorded in the ledger.
        await _app.Services.GetRequiredService<LedgerWriter>().FlushAsync();
        using var scope = _app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CodeMentor.Core.Data.AppDbContext>();
        var row = await db.Ledger.SingleAsync();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync("ada@example.org");
        Assert.Equal((user!.Id, "chat", "groq"), (row.UserId, row.Feature, row.Provider));
        Assert.Equal(conversation, row.ConversationId);
        // The time the pipeline added, as the hub reported it, is what the ledger kept.
        Assert.NotNull(done.OverheadMs);
        Assert.Equal(row.OverheadMs, (int)Math.Round(done.OverheadMs!.Value));
        Assert.Equal(3, await db.Messages.CountAsync(m => m.ConversationId == conversation));
    }

    [Fact]
    public async Task Each_client_gets_its_own_conversation_even_before_writing_in_it()
    {
        var token = await TokenAsync();
        await using var editor = Connect(token);
        await using var notebook = Connect(token);
        await Task.WhenAll(editor.StartAsync(), notebook.StartAsync());

        var ids = await Task.WhenAll(editor.InvokeAsync<Guid>("StartConversation"), notebook.InvokeAsync<Guid>("StartConversation"));

        Assert.NotEqual(ids[0], ids[1]); // the web's "reuse the unused chat" would make them collide ("still answering")
        var answers = await Task.WhenAll(ids.Select((id, i) => (i == 0 ? editor : notebook).StreamAsync<TutorStreamItem>("Ask", id, "Hi").ToListAsync()));
        Assert.All(answers, items => Assert.Equal("Complete", items[^1].Status));
    }

    [Fact]
    public async Task Anonymous_callers_are_refused()
    {
        await using var hub = Connect(token: null);

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => hub.StartAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
    }

    [Fact]
    public async Task A_wrong_password_gets_no_token()
    {
        var response = await _app.CreateClient().PostAsJsonAsync("/api/auth/token", new { email = "ada@example.org", password = "wrong-password-1" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_caller_cannot_ask_in_or_follow_someone_elses_conversation()
    {
        Guid adasConversation;
        using (var scope = _app.Services.CreateScope())
        {
            var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
            await accounts.RegisterAsync("bob@example.org", "correct-horse-43");
            var ada = await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync("ada@example.org");
            adasConversation = await scope.ServiceProvider.GetRequiredService<CodeMentor.Core.Tutoring.ConversationStore>()
                .CreateAsync(ada!.Id, new CodeMentor.Core.Prompts.LearnerContext());
        }
        var bobToken = (await (await _app.CreateClient().PostAsJsonAsync("/api/auth/token", new { email = "bob@example.org", password = "correct-horse-43" }))
            .Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
        await using var hub = Connect(bobToken);
        await hub.StartAsync();

        var ex = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var _ in hub.StreamAsync<TutorStreamItem>("Ask", adasConversation, "let me in"))
            {
            }
        });

        Assert.Contains("not yours", ex.Message);
        var follow = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var _ in hub.StreamAsync<TutorStreamItem>("Follow", adasConversation))
            {
            }
        });
        Assert.Contains("no such conversation of yours", follow.Message);
        Assert.Empty(_groq.Requests);
    }

    private async Task<CodeMentor.Core.Tutoring.ConversationMessage> LastMessageAsync(Guid conversation)
    {
        using var scope = _app.Services.CreateScope();
        var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<CodeMentor.Core.Data.AppDbContext>>().CreateDbContextAsync();
        return await db.Messages.Where(m => m.ConversationId == conversation).OrderBy(m => m.Id).LastAsync();
    }

    [Fact]
    public async Task A_long_question_is_answered_and_an_oversized_one_is_refused_without_closing_the_connection()
    {
        await using var hub = Connect(await TokenAsync());
        await hub.StartAsync();
        var conversation = await hub.InvokeAsync<Guid>("StartConversation");

        // 11,000 CJK characters: 33 KB of UTF-8, within the 32,000-character limit.
        var cjk = string.Concat(Enumerable.Repeat("語", 11_000));
        var answered = new List<TutorStreamItem>();
        await foreach (var item in hub.StreamAsync<TutorStreamItem>("Ask", conversation, cjk))
        {
            answered.Add(item);
        }
        Assert.Equal("Complete", answered[^1].Status);

        // A 1 MB question gets a clear refusal, and the same connection keeps working.
        var huge = new string('x', 1_000_000);
        var refused = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var _ in hub.StreamAsync<TutorStreamItem>("Ask", conversation, huge))
            {
            }
        });
        Assert.Contains("Your message is 1,000,000 characters; the limit is 32,000.", refused.Message);
        Assert.Equal(HubConnectionState.Connected, hub.State);
        Assert.Single(await hub.InvokeAsync<IReadOnlyList<CodeMentor.Core.Tutoring.ConversationSummary>>("ListConversations"));
    }

    [Fact]
    public async Task Malformed_arguments_get_an_error_that_says_what_is_wrong()
    {
        await using var hub = Connect(await TokenAsync());
        await hub.StartAsync();
        var conversation = await hub.InvokeAsync<Guid>("StartConversation");

        var badId = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var _ in hub.StreamAsync<TutorStreamItem>("Ask", "not-a-conversation-id", "hello"))
            {
            }
        });
        Assert.Contains("Error binding arguments", badId.Message);

        var noMessage = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var _ in hub.StreamAsync<TutorStreamItem>("Ask", conversation, null))
            {
            }
        });
        Assert.Contains("Ask needs a message", noMessage.Message);
        Assert.Equal(HubConnectionState.Connected, hub.State);
    }

    [Fact]
    public async Task Cancelling_the_stream_stops_the_reply_and_says_the_client_stopped_it()
    {
        var text = string.Concat(Enumerable.Range(1, 40).Select(i => $"Part {i}. "));
        _groq.Default = FakeGroqServer.Reply(GroqStream.Reply(text, pieceLength: 4), TimeSpan.FromMilliseconds(30));
        await using var hub = Connect(await TokenAsync());
        await hub.StartAsync();
        var conversation = await hub.InvokeAsync<Guid>("StartConversation");

        using var cancel = new CancellationTokenSource();
        await foreach (var item in hub.StreamAsync<TutorStreamItem>("Ask", conversation, "Tell me a lot", cancel.Token))
        {
            if (item.Kind == "text")
            {
                cancel.Cancel();
                break;
            }
        }

        await Eventually.TrueAsync(async () => (await LastMessageAsync(conversation)).Status != CodeMentor.Core.Tutoring.MessageStatus.Streaming,
            TimeSpan.FromSeconds(30), "the reply to be saved");
        var saved = await LastMessageAsync(conversation);
        Assert.Equal(CodeMentor.Core.Tutoring.MessageStatus.Stopped, saved.Status);
        Assert.Equal("Stopped by your client.", saved.StatusDetail);
        Assert.StartsWith("Part", saved.Content); // the text so far is kept
        Assert.True(saved.Content.Length < text.Length);
    }

    [Fact]
    public async Task A_dropped_connection_does_not_stop_the_reply_which_is_saved_whole()
    {
        var text = string.Concat(Enumerable.Range(1, 30).Select(i => $"Part {i}. "));
        _groq.Default = FakeGroqServer.Reply(GroqStream.Reply(text, pieceLength: 4), TimeSpan.FromMilliseconds(20));
        var hub = Connect(await TokenAsync());
        await hub.StartAsync();
        var conversation = await hub.InvokeAsync<Guid>("StartConversation");

        await foreach (var item in hub.StreamAsync<TutorStreamItem>("Ask", conversation, "Tell me a lot"))
        {
            if (item.Kind == "text")
            {
                break;
            }
        }
        await hub.DisposeAsync(); // the client goes away mid-reply

        await Eventually.TrueAsync(async () => (await LastMessageAsync(conversation)).Status != CodeMentor.Core.Tutoring.MessageStatus.Streaming,
            TimeSpan.FromSeconds(30), "the reply to be saved");
        var saved = await LastMessageAsync(conversation);
        Assert.Equal(CodeMentor.Core.Tutoring.MessageStatus.Complete, saved.Status);
        Assert.Equal(text, saved.Content);
    }

    [Fact]
    public async Task A_second_client_follows_a_reply_another_started_from_its_first_word_and_a_finished_one_whole()
    {
        var text = string.Concat(Enumerable.Range(1, 30).Select(i => $"Part {i}. "));
        _groq.Default = FakeGroqServer.Reply(GroqStream.Reply(text, pieceLength: 4), TimeSpan.FromMilliseconds(20));
        var token = await TokenAsync();
        await using var asker = Connect(token);
        await using var follower = Connect(token);
        await asker.StartAsync();
        await follower.StartAsync();
        var conversation = await asker.InvokeAsync<Guid>("StartConversation");

        var asked = new List<TutorStreamItem>();
        var followed = new List<TutorStreamItem>();
        Task? following = null;
        await foreach (var item in asker.StreamAsync<TutorStreamItem>("Ask", conversation, "Tell me a lot"))
        {
            asked.Add(item);
            // Joins once some text has gone by: the follower still gets the reply from its first word.
            following ??= item.Kind == "text" ? CollectAsync(follower.StreamAsync<TutorStreamItem>("Follow", conversation), followed) : null;
        }
        await following!.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(text, Text(asked));
        Assert.Equal(text, Text(followed));
        Assert.True(followed.Count(i => i.Kind == "text") > 1, "followed live, in steps");
        Assert.Equal(("done", "Complete"), (followed[^1].Kind, followed[^1].Status));
        Assert.Equal(asked[^1].CostUsd, followed[^1].CostUsd);

        var afterwards = new List<TutorStreamItem>();
        await CollectAsync(follower.StreamAsync<TutorStreamItem>("Follow", conversation), afterwards);
        Assert.Equal([("text", text), ("done", "")], afterwards.Select(i => (i.Kind, i.Text)));
        Assert.Equal("Complete", afterwards[^1].Status);

        static string Text(IEnumerable<TutorStreamItem> items) => string.Concat(items.Where(i => i.Kind == "text").Select(i => i.Text));
        static async Task CollectAsync(IAsyncEnumerable<TutorStreamItem> stream, List<TutorStreamItem> into)
        {
            await foreach (var item in stream)
            {
                into.Add(item);
            }
        }
    }
}
