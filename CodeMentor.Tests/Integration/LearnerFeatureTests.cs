using CodeMentor.Core.Data;
using System.Text.Json;
using CodeMentor.Core.Prompts;
using CodeMentor.Core.Tutoring;
using CodeMentor.Core.Usage;
using CodeMentor.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace CodeMentor.Tests.Integration;

/// <summary>What learners expect of a chat app, through the real services, pipeline and a fake Groq over
/// HTTP, in a real SQLite file: search, an unused conversation reused, editing the last message, export
/// and deleting everything.</summary>
public abstract class LearnerFeatureTests(DatabaseProvider database) : IAsyncLifetime
{
    private FakeGroqServer _groq = default!;
    private CoreHost _host = default!;
    private string _ada = "";
    private string _bob = "";

    private ConversationService Conversations => _host.Get<ConversationService>();

    private ConversationStore Store => _host.Get<ConversationStore>();

    public async Task InitializeAsync()
    {
        _groq = await FakeGroqServer.StartAsync();
        _groq.Default = FakeGroqServer.Reply(GroqStream.Reply("A reply about loops."));
        _host = await CoreHost.StartAsync(database: database, settings: new Dictionary<string, string?>
        {
            ["Llm:Groq:ApiKey"] = FakeGroqServer.Key,
            ["Llm:Groq:Endpoint"] = _groq.BaseUri.ToString(),
        });
        await _host.Get<LedgerWriter>().StartAsync(CancellationToken.None); // a hosted service in the app
        _ada = await _host.CreateUserAsync("ada@example.org");
        _bob = await _host.CreateUserAsync("bob@example.org");
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _groq.DisposeAsync();
    }

    private async Task<Guid> ChatAsync(string user, string question)
    {
        var id = await Store.CreateAsync(user, new LearnerContext());
        await (await Conversations.SendAsync(user, id, question)).Run!.Completion;
        return id;
    }

    [Fact]
    public async Task New_conversation_twice_leaves_one_unused_conversation()
    {
        var used = await ChatAsync(_ada, "What is a loop?");
        var first = await Store.CreateAsync(_ada, new LearnerContext());
        var second = await Store.CreateAsync(_ada, new LearnerContext());

        Assert.NotEqual(used, first);
        Assert.Equal(first, second);
        Assert.Equal(2, (await Store.ListAsync(_ada)).Count);
        Assert.NotEqual(first, await Store.CreateAsync(_bob, new LearnerContext())); // never someone else's
    }

    [Fact]
    public async Task Pinned_chats_lead_the_list_archived_ones_leave_it_until_restored_or_written_in()
    {
        var oldest = await ChatAsync(_ada, "What is a variable?");
        var middle = await ChatAsync(_ada, "What is a loop?");
        var newest = await ChatAsync(_ada, "What is a list?");

        Assert.True(await Store.SetPinnedAsync(_ada, oldest, pinned: true));
        Assert.Equal([oldest, newest, middle], (await Store.ListAsync(_ada)).Select(c => c.Id));
        Assert.True((await Store.ListAsync(_ada))[0].Pinned);

        // Archiving drops the pin; the chat is still listed (flagged) and found by search.
        Assert.True(await Store.SetArchivedAsync(_ada, oldest, archived: true));
        var archived = Assert.Single(await Store.ListAsync(_ada), c => c.Id == oldest);
        Assert.True(archived.Archived);
        Assert.False(archived.Pinned);
        Assert.True(Assert.Single(await Store.SearchAsync(_ada, "variable")).Conversation.Archived);

        // "New conversation" never hands back an archived, unused chat.
        var unused = await Store.CreateAsync(_ada, new LearnerContext());
        await Store.SetArchivedAsync(_ada, unused, archived: true);
        Assert.NotEqual(unused, await Store.CreateAsync(_ada, new LearnerContext()));

        // Writing in an archived chat brings it back; pinning one restores it too.
        await (await Conversations.SendAsync(_ada, oldest, "And a constant?")).Run!.Completion;
        Assert.False(Assert.Single(await Store.ListAsync(_ada), c => c.Id == oldest).Archived);
        Assert.True(await Store.SetPinnedAsync(_ada, unused, pinned: true));
        var restored = Assert.Single(await Store.ListAsync(_ada), c => c.Id == unused);
        Assert.True(restored.Pinned);
        Assert.False(restored.Archived);

        // Someone else's chat cannot be pinned or archived.
        Assert.False(await Store.SetPinnedAsync(_bob, middle, pinned: true));
        Assert.False(await Store.SetArchivedAsync(_bob, middle, archived: true));
        Assert.False(Assert.Single(await Store.ListAsync(_ada), c => c.Id == middle).Archived);
    }

    [Fact]
    public async Task Search_finds_titles_and_message_text_of_the_learners_own_conversations_only()
    {
        var loops = await ChatAsync(_ada, "How do for loops work?");
        await ChatAsync(_ada, "Explain recursion with 100% certainty");
        await ChatAsync(_bob, "How do while loops work?");

        var byQuestion = await Store.SearchAsync(_ada, "FOR LOOPS");
        Assert.Equal([loops], byQuestion.Select(m => m.Conversation.Id));

        var byReply = await Store.SearchAsync(_ada, "reply about");
        Assert.Equal(2, byReply.Count);
        Assert.All(byReply, m => Assert.Contains("reply about", m.Snippet!, StringComparison.OrdinalIgnoreCase));

        // LIKE wildcards in the search text are literal.
        Assert.Single(await Store.SearchAsync(_ada, "100%"));
        Assert.Empty(await Store.SearchAsync(_ada, "for%work")); // would match "for loops work" as a wildcard
        Assert.Empty(await Store.SearchAsync(_ada, "_hile"));
        Assert.Empty(await Store.SearchAsync(_ada, "   "));
    }

    [Fact]
    public async Task Editing_the_last_message_replaces_it_and_its_reply_and_asks_again()
    {
        var id = await ChatAsync(_ada, "What is a lop?");
        _groq.Enqueue(FakeGroqServer.Reply(GroqStream.Reply("A loop repeats a block.")));

        var edited = await Conversations.EditLastAsync(_ada, id, "What is a loop?");
        await edited.Run!.Completion;

        var view = (await Store.GetAsync(_ada, id))!;
        Assert.Equal([MessageRole.Assistant, MessageRole.User, MessageRole.Assistant], view.Messages.Select(m => m.Role));
        Assert.Equal("What is a loop?", view.Messages[1].Content);
        Assert.Equal("A loop repeats a block.", view.Messages[2].Content);
        Assert.Equal(ConversationService.NotYours, (await Conversations.EditLastAsync(_bob, id, "mine now")).Error);
        Assert.Equal(3, (await Store.GetAsync(_ada, id))!.Messages.Count);
    }

    [Fact]
    public async Task A_conversation_exports_to_markdown_and_json_with_the_learners_text_kept_literal()
    {
        var id = await ChatAsync(_ada, "Why does ``` break my **Markdown**?");
        var view = (await Store.GetAsync(_ada, id))!;
        var at = new DateTime(2026, 11, 26, 9, 0, 0, DateTimeKind.Utc);

        var markdown = LearnerData.ToMarkdown(view, at);
        Assert.StartsWith("# Why does", markdown);
        Assert.Contains("````text\nWhy does ``` break my **Markdown**?\n````", markdown); // a longer fence than the text's own
        Assert.Contains("A reply about loops.", markdown);

        using var json = JsonDocument.Parse(LearnerData.ToJson(view, at));
        var messages = json.RootElement.GetProperty("Messages");
        Assert.Equal(3, messages.GetArrayLength());
        Assert.Equal("user", messages[1].GetProperty("Role").GetString());
        Assert.Equal("Why does ``` break my **Markdown**?", messages[1].GetProperty("Content").GetString());
    }

    [Fact]
    public async Task Deleting_everything_removes_the_learners_data_keeps_others_and_leaves_costs_unnamed()
    {
        await ChatAsync(_ada, "What is a loop?");
        await ChatAsync(_bob, "What is a list?");
        await _host.Get<LedgerWriter>().FlushAsync();
        await using (var before = await _host.DbAsync())
        {
            Assert.True(await before.Ledger.AnyAsync(e => e.UserId == _ada));
        }

        await _host.Get<LearnerData>().DeleteEverythingAsync(_ada);

        await using var db = await _host.DbAsync();
        Assert.Empty(await Store.ListAsync(_ada));
        Assert.False(await db.Messages.AnyAsync(m => db.Conversations.Any(c => c.Id == m.ConversationId && c.UserId == _ada)));
        Assert.False(await db.Ledger.AnyAsync(e => e.UserId == _ada));
        Assert.True(await db.Ledger.AnyAsync(e => e.UserId.StartsWith("deleted-")));
        Assert.Single(await Store.ListAsync(_bob));
    }

    public sealed class OnSqlite() : LearnerFeatureTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : LearnerFeatureTests(DatabaseProvider.Postgres);
}
