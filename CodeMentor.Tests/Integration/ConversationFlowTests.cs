using CodeMentor.Core.Data;
using CodeMentor.Core.Llm;
using CodeMentor.Core.Prompts;
using CodeMentor.Core.Tutoring;
using CodeMentor.Core.Usage;
using Microsoft.EntityFrameworkCore;
using CodeMentor.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CodeMentor.Tests.Integration;

/// <summary>A chat turn through the real pipeline and the Groq provider (fake server over HTTP),
/// saved in a real SQLite file.</summary>
public abstract class ConversationFlowTests(DatabaseProvider database) : IAsyncLifetime
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
        _host = await CoreHost.StartAsync(database: database, settings: new Dictionary<string, string?>
        {
            ["Llm:Groq:ApiKey"] = FakeGroqServer.Key,
            ["Llm:Groq:Endpoint"] = _groq.BaseUri.ToString(),
        });
        _ada = await _host.CreateUserAsync("ada@example.org");
        _bob = await _host.CreateUserAsync("bob@example.org");
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _groq.DisposeAsync();
    }

    [Fact]
    public async Task A_reply_streams_and_is_saved_with_its_usage()
    {
        _groq.Enqueue(FakeGroqServer.Reply(GroqStream.Reply("Loops repeat work.", reasoning: "Keep it simple.", promptTokens: 90)));
        var id = await Store.CreateAsync(_ada, new LearnerContext());

        var sent = await Conversations.SendAsync(_ada, id, "What is a loop?");
        await sent.Run!.Completion;

        var view = (await Store.GetAsync(_ada, id))!;
        Assert.Equal("What is a loop?", view.Title);
        Assert.Equal([MessageRole.Assistant, MessageRole.User, MessageRole.Assistant], view.Messages.Select(m => m.Role));
        var reply = view.Messages[^1];
        Assert.Equal(MessageStatus.Complete, reply.Status);
        Assert.Equal("Loops repeat work.", reply.Content);
        Assert.Equal("Keep it simple.", reply.Reasoning);
        Assert.Equal(90, reply.InputTokens);
        Assert.Equal("openai/gpt-oss-20b", reply.Model);
        Assert.Equal("groq", reply.Provider);

        // The request carried the system prompt, the greeting and the question, in order.
        var messages = _groq.Requests.Single().Body["messages"]!.AsArray();
        Assert.Equal(["system", "assistant", "user"], messages.Select(m => (string?)m!["role"]));
        Assert.Equal("What is a loop?", (string?)messages[^1]!["content"]);
    }

    [Fact]
    public async Task A_long_conversation_sends_its_newest_messages_in_order_as_many_as_the_window_keeps()
    {
        var window = _host.Get<IOptions<LlmOptions>>().Value.Context.MaxMessages;
        var id = await Store.CreateAsync(_ada, new LearnerContext());
        for (var turn = 1; turn <= window; turn++)
        {
            _groq.Enqueue(FakeGroqServer.Reply(GroqStream.Reply($"Answer {turn}.")));
            await (await Conversations.SendAsync(_ada, id, $"Question {turn}?")).Run!.Completion;
        }

        // The system prompt, then the newest messages up to the window, the new question last; nothing older.
        var sent = _groq.Requests.Last().Body["messages"]!.AsArray().Select(m => (string?)m!["content"]).ToList();
        var expected = Enumerable.Range(1, window - 1).SelectMany(turn => new[] { $"Question {turn}?", $"Answer {turn}." })
            .Append($"Question {window}?").TakeLast(window);
        Assert.Equal(window + 1, sent.Count);
        Assert.Equal(expected, sent.Skip(1));

        // An edit of that question answers from the same newest messages before it.
        _groq.Enqueue(FakeGroqServer.Reply(GroqStream.Reply("Answer again.")));
        await (await Conversations.EditLastAsync(_ada, id, "Question rewritten?")).Run!.Completion;
        var edited = _groq.Requests.Last().Body["messages"]!.AsArray().Select(m => (string?)m!["content"]).ToList();
        Assert.Equal(expected.SkipLast(1).Append("Question rewritten?"), edited.Skip(1));

        // Answering it again sends the same.
        _groq.Enqueue(FakeGroqServer.Reply(GroqStream.Reply("Answer once more.")));
        await (await Conversations.RegenerateAsync(_ada, id)).Run!.Completion;
        Assert.Equal(edited, _groq.Requests.Last().Body["messages"]!.AsArray().Select(m => (string?)m!["content"]));
    }

    [Fact]
    public async Task Every_path_checks_ownership_before_anything_else_so_nothing_is_said_about_another_users_reply()
    {
        var reply = new TaskCompletionSource();
        _groq.Enqueue(async context =>
        {
            await reply.Task; // Ada's reply is still being written
            await FakeGroqServer.Reply(GroqStream.Reply("Done."))(context);
        });
        var id = await Store.CreateAsync(_ada, new LearnerContext());
        var sent = await Conversations.SendAsync(_ada, id, "What is a loop?");

        // Ada is told to wait; Bob, with her conversation's id, learns only that it is not his.
        Assert.Equal(ConversationService.StillAnswering, (await Conversations.SendAsync(_ada, id, "And a while loop?")).Error);
        Assert.Equal(ConversationService.StillAnswering, (await Conversations.RegenerateAsync(_ada, id)).Error);
        Assert.Equal(ConversationService.StillAnswering, (await Conversations.EditLastAsync(_ada, id, "What is a for loop?")).Error);
        Assert.Equal(ConversationService.NotYours, (await Conversations.SendAsync(_bob, id, "Hello?")).Error);
        Assert.Equal(ConversationService.NotYours, (await Conversations.RegenerateAsync(_bob, id)).Error);
        Assert.Equal(ConversationService.NotYours, (await Conversations.EditLastAsync(_bob, id, "Mine?")).Error);

        reply.SetResult();
        await sent.Run!.Completion;
        Assert.Single(_groq.Requests);
    }

    [Fact]
    public async Task The_learners_message_is_saved_even_when_the_provider_rejects_the_key()
    {
        _groq.Enqueue(FakeGroqServer.Error(401, "Invalid API Key", "invalid_api_key"));
        var id = await Store.CreateAsync(_ada, new LearnerContext());

        var sent = await Conversations.SendAsync(_ada, id, "Explain recursion");
        await sent.Run!.Completion;

        var view = (await Store.GetAsync(_ada, id))!;
        Assert.Equal("Explain recursion", view.Messages[1].Content);
        var reply = view.Messages[2];
        Assert.Equal(MessageStatus.Failed, reply.Status);
        Assert.Contains("rejected the API key", reply.StatusDetail);
        Assert.Contains("GROQ_API_KEY", reply.StatusDetail);
    }

    [Fact]
    public async Task Stopping_keeps_the_partial_reply_with_its_status()
    {
        var aborted = new TaskCompletionSource();
        _groq.Enqueue(async context =>
        {
            context.RequestAborted.Register(() => aborted.TrySetResult());
            await FakeGroqServer.Reply(GroqStream.Reply(string.Concat(Enumerable.Repeat("word ", 400))), TimeSpan.FromMilliseconds(15))(context);
        });
        var id = await Store.CreateAsync(_ada, new LearnerContext());
        var sent = await Conversations.SendAsync(_ada, id, "Tell me a long story");
        var run = sent.Run!;
        var someText = new TaskCompletionSource();
        run.Changed += () => { if (run.Snapshot().Text.Length > 20) someText.TrySetResult(); };

        await someText.Task.WaitAsync(TimeSpan.FromSeconds(20));
        run.Stop();
        await run.Completion;
        await aborted.Task.WaitAsync(TimeSpan.FromSeconds(10)); // the upstream request was cancelled

        var reply = (await Store.GetAsync(_ada, id))!.Messages[^1];
        Assert.Equal(MessageStatus.Stopped, reply.Status);
        Assert.StartsWith("word word", reply.Content);
        Assert.True(reply.Content.Length < 2000);
    }

    [Fact]
    public async Task A_dropped_stream_keeps_the_partial_reply_as_failed()
    {
        _groq.Enqueue(FakeGroqServer.Reply(GroqStream.Reply("The first part of an answer").Take(4).ToList()));
        var id = await Store.CreateAsync(_ada, new LearnerContext());

        var sent = await Conversations.SendAsync(_ada, id, "Question");
        await sent.Run!.Completion;

        var reply = (await Store.GetAsync(_ada, id))!.Messages[^1];
        Assert.Equal(MessageStatus.Failed, reply.Status);
        Assert.Equal("The first part", reply.Content[..14]);
        Assert.Contains("Regenerate", reply.StatusDetail);
    }

    [Fact]
    public async Task Regenerate_replaces_the_last_reply()
    {
        _groq.Enqueue(FakeGroqServer.Reply(GroqStream.Reply("First answer.")));
        _groq.Enqueue(FakeGroqServer.Reply(GroqStream.Reply("Second answer.")));
        var id = await Store.CreateAsync(_ada, new LearnerContext());
        await (await Conversations.SendAsync(_ada, id, "Question")).Run!.Completion;

        var again = await Conversations.RegenerateAsync(_ada, id);
        await again.Run!.Completion;

        var view = (await Store.GetAsync(_ada, id))!;
        Assert.Equal(3, view.Messages.Count);
        Assert.Equal("Second answer.", view.Messages[^1].Content);
    }

    [Fact]
    public async Task A_message_too_large_for_the_window_is_refused_before_anything_is_saved_or_sent()
    {
        var id = await Store.CreateAsync(_ada, new LearnerContext());

        var sent = await Conversations.SendAsync(_ada, id, string.Join(' ', Enumerable.Repeat("token", 6000)));

        Assert.False(sent.Succeeded);
        Assert.Contains("nothing was sent", sent.Error);
        Assert.Single((await Store.GetAsync(_ada, id))!.Messages); // just the greeting
        Assert.Empty(_groq.Requests);
    }

    [Fact]
    public async Task Another_user_can_neither_read_nor_change_a_conversation()
    {
        var id = await Store.CreateAsync(_ada, new LearnerContext());

        Assert.Null(await Store.GetAsync(_bob, id));
        Assert.DoesNotContain(await Store.ListAsync(_bob), c => c.Id == id);
        Assert.False(await Store.RenameAsync(_bob, id, "mine now"));
        Assert.False(await Conversations.DeleteAsync(_bob, id));
        Assert.False((await Conversations.SendAsync(_bob, id, "hello")).Succeeded);
        Assert.False((await Conversations.RegenerateAsync(_bob, id)).Succeeded);

        var view = await Store.GetAsync(_ada, id);
        Assert.Equal(Core.Tutoring.Conversation.DefaultTitle, view!.Title);
        Assert.Single(view.Messages);
    }

    [Fact]
    public async Task List_is_newest_first_and_rename_and_delete_work_for_the_owner()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T10:00:00Z"));
        // Replies off: the learner's message is saved (so the conversation is used) and no model runs on the fake clock.
        await using var host = await CoreHost.StartAsync(database: database, settings: new Dictionary<string, string?> { ["Llm:Enabled"] = "false" }, configure: s => s.AddSingleton<TimeProvider>(clock));
        var conversations = host.Get<ConversationService>();
        var store = host.Get<ConversationStore>();
        var ada = await host.CreateUserAsync("ada@example.org");
        var older = await store.CreateAsync(ada, new LearnerContext());
        Assert.NotNull((await conversations.SendAsync(ada, older, "What is recursion?")).UserMessage);
        clock.Advance(TimeSpan.FromMinutes(1));
        var newer = await store.CreateAsync(ada, new LearnerContext());

        Assert.Equal([newer, older], (await store.ListAsync(ada)).Select(c => c.Id));
        Assert.True(await store.RenameAsync(ada, older, "  Recursion practice  "));
        Assert.Equal("Recursion practice", (await store.GetAsync(ada, older))!.Title);
        Assert.True(await conversations.DeleteAsync(ada, newer));
        Assert.Equal([older], (await store.ListAsync(ada)).Select(c => c.Id));
    }

    [Fact]
    public async Task Replies_left_streaming_by_a_crash_are_marked_failed_at_startup_keeping_their_text()
    {
        var id = await Store.CreateAsync(_ada, new LearnerContext());
        await using (var db = await _host.DbAsync())
        {
            db.Messages.Add(new ConversationMessage
            {
                ConversationId = id, Role = MessageRole.Assistant, Status = MessageStatus.Streaming, Content = "half of it",
                CreatedAtUtc = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        await _host.Get<DatabaseInitializer>().StartAsync(CancellationToken.None);

        var reply = (await Store.GetAsync(_ada, id))!.Messages[^1];
        Assert.Equal(MessageStatus.Failed, reply.Status);
        Assert.Equal("half of it", reply.Content);
        Assert.Equal(OrphanedReplies.InterruptedDetail + " The text so far was kept; use Regenerate to try again.", reply.StatusDetail);
    }

    [Fact]
    public async Task A_stopped_nodes_replies_and_calls_are_taken_over_once_and_a_live_nodes_are_left_alone()
    {
        var id = await Store.CreateAsync(_ada, new LearnerContext());
        var other = await Store.CreateAsync(_ada, new LearnerContext(), reuseUnused: false);
        var now = DateTime.UtcNow;
        await using (var db = await _host.DbAsync())
        {
            db.Messages.Add(new ConversationMessage
            {
                ConversationId = id, Role = MessageRole.Assistant, Status = MessageStatus.Streaming, Content = "half of it", CreatedAtUtc = now, Node = "dead",
            });
            db.Messages.Add(new ConversationMessage
            {
                ConversationId = other, Role = MessageRole.Assistant, Status = MessageStatus.Streaming, Content = "still going", CreatedAtUtc = now, Node = "alive",
            });
            db.InFlightCalls.AddRange(
                new InFlightCall { Id = Guid.NewGuid(), StartedAtUtc = now.AddSeconds(-3), LastProgressUtc = now, UserId = _ada, ConversationId = id,
                    Feature = "chat", Provider = "groq", Model = "openai/gpt-oss-20b", PromptTokens = 120, OutputTokensSoFar = 40, Node = "dead" },
                new InFlightCall { Id = Guid.NewGuid(), StartedAtUtc = now, LastProgressUtc = now, UserId = _ada, ConversationId = other,
                    Feature = "chat", Provider = "groq", Model = "openai/gpt-oss-20b", Node = "alive" });
            await db.SaveChangesAsync();
        }
        var orphans = _host.Get<OrphanedReplies>();

        // Two nodes noticing at the same moment.
        await Task.WhenAll(orphans.SweepDeadAsync(node => Task.FromResult(node == "alive"), default),
            orphans.SweepDeadAsync(node => Task.FromResult(node == "alive"), default));

        var taken = (await Store.GetAsync(_ada, id))!.Messages[^1];
        Assert.Equal((MessageStatus.Failed, "half of it"), (taken.Status, taken.Content));
        Assert.StartsWith(OrphanedReplies.NodeLostDetail, taken.StatusDetail);
        Assert.Equal(MessageStatus.Streaming, (await Store.GetAsync(_ada, other))!.Messages[^1].Status);
        await using var after = await _host.DbAsync();
        var row = Assert.Single(await after.Ledger.ToListAsync());
        Assert.Equal((LedgerOutcomes.Interrupted, 120, 40, true), (row.Outcome, row.InputTokens, row.OutputTokens, row.Estimated));
        Assert.Equal(["alive"], await after.InFlightCalls.Select(c => c.Node).ToListAsync());
        Assert.Equal(1, await after.LedgerDaily.SumAsync(d => d.Requests));
    }

    [Fact]
    public async Task A_reply_cut_by_shutdown_says_so_and_keeps_its_text()
    {
        var gate = new TaskCompletionSource();
        var text = string.Concat(Enumerable.Range(1, 50).Select(i => $"Part {i}. "));
        _groq.Enqueue(async context =>
        {
            var events = GroqStream.Reply(text, pieceLength: 4);
            await FakeGroqServer.Reply(events.Take(6).ToList())(context);
            gate.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        var id = await Store.CreateAsync(_ada, new LearnerContext());
        var sent = await Conversations.SendAsync(_ada, id, "Tell me a lot");
        await gate.Task;
        await Eventually.TrueAsync(() => sent.Run!.TextLength > 0, "the first text");

        await _host.Get<GenerationRunner>().StopAsync(CancellationToken.None);

        var reply = (await Store.GetAsync(_ada, id))!.Messages[^1];
        Assert.Equal(MessageStatus.Failed, reply.Status);
        Assert.Equal("The server shut down during the reply. The text so far was kept; use Regenerate to try again.", reply.StatusDetail);
        Assert.StartsWith("Part 1", reply.Content);
    }

    [Fact]
    public async Task A_broken_character_is_refused_by_name_and_the_replacement_character_is_ordinary_text()
    {
        var id = await Store.CreateAsync(_ada, new LearnerContext());

        var broken = await Conversations.SendAsync(_ada, id, "half a pair: \ud800 here");
        var replacement = await Conversations.SendAsync(_ada, id, "copied from a page with a broken encoding: caf\ufffd");

        Assert.Null(broken.UserMessage);
        Assert.Equal("Your message has a broken character (half of a UTF-16 pair) at position 14. Remove it and send again; nothing was sent.", broken.Error);
        Assert.NotNull(replacement.UserMessage);
        await replacement.Run!.Completion;
    }

    [Fact]
    public async Task Limits_count_characters_as_the_learner_sees_them()
    {
        var id = await Store.CreateAsync(_ada, new LearnerContext());
        var emoji = string.Concat(Enumerable.Repeat("👍🏽", MessageInputRules.MaxCharacters)); // 4 UTF-16 units each, one character

        var atLimit = await Conversations.SendAsync(_ada, id, emoji);
        var over = await Conversations.SendAsync(_ada, id, emoji + "!");

        Assert.NotNull(atLimit.UserMessage);
        await atLimit.Run!.Completion;
        Assert.Equal("Your message is 32,001 characters; the limit is 32,000. Shorten it or split it; nothing was sent.", over.Error);
    }

    [Fact]
    public async Task When_replies_are_turned_off_the_message_is_kept_and_the_learner_is_told()
    {
        await using var host = await CoreHost.StartAsync(database: database, settings: new Dictionary<string, string?> { ["Llm:Enabled"] = "false" });
        var conversations = host.Get<ConversationService>();
        var store = host.Get<ConversationStore>();
        var ada = await host.CreateUserAsync("ada@example.org");
        var id = await store.CreateAsync(ada, new LearnerContext());

        var sent = await conversations.SendAsync(ada, id, "Are you there?");

        Assert.Contains("LLM_ENABLED=false", sent.Error);
        Assert.Null(sent.Run);
        Assert.Equal("Are you there?", (await store.GetAsync(ada, id))!.Messages[^1].Content);
    }

    public sealed class OnSqlite() : ConversationFlowTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : ConversationFlowTests(DatabaseProvider.Postgres);
}
