using CodeMentor.Core.Data;
using CodeMentor.Core.Llm;
using CodeMentor.Core.Prompts;
using CodeMentor.Core.Tutoring;
using CodeMentor.Tests.Support;
using CsCheck;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CodeMentor.Tests.Integration;

/// <summary>A turn's reads straight on SQLite (SqliteConversationReads) against EF Core's reads of the same migrated file
/// as the oracle: for any conversation, any reader and any number of messages asked for, the same title, kind and
/// messages in the same order — or a declined read, after which the store reads through EF Core.</summary>
public sealed class SqliteConversationReadsTests : IAsyncLifetime
{
    private CoreHost _host = null!;
    private string _ada = "";
    private string _bob = "";

    public async Task InitializeAsync()
    {
        _host = await CoreHost.StartAsync();
        _ada = await _host.CreateUserAsync("ada@example.com");
        _bob = await _host.CreateUserAsync("bob@example.com");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private string ConnectionString => _host.Get<DatabaseEngine>().ConnectionString;

    private static Gen<T> Pick<T>(params T[] items) => Gen.Int[0, items.Length - 1].Select(i => items[i]);

    private static readonly Gen<string> Texts = Gen.OneOf(
        Gen.String, Gen.String[Gen.Char, 100, 3000], Gen.Const(""), Gen.Const("é字😀 `code`"), Gen.Const("\ud800 lone"),
        Gen.Const("a\0b"), Gen.Int[600, 2000].Select(n => new string('x', n) + "\0tail"));

    private static readonly Gen<(MessageRole Role, string Content, int? Tokens)> Messages = Gen.Select(
        Pick(MessageRole.User, MessageRole.Assistant), Texts, Gen.Int[-1, 5000].Select(n => n < 0 ? null : (int?)n));

    /// <summary>What changes between two reads: a message's text rewritten in place (the same length, the same text, or
    /// any), and messages added.</summary>
    private sealed record Change(int Rewritten, int How, string Text, (MessageRole Role, string Content, int? Tokens)[] Added);

    private sealed record Case(ConversationKind Kind, string Title, bool AdasOwn, (MessageRole Role, string Content, int? Tokens)[] Messages,
        int Take, int Asker, bool OwnId, Change Then);

    private static readonly Gen<Change> Changes = Gen.Select(Gen.Int[0, 40], Gen.Int[0, 2], Texts, Messages.Array[0, 3])
        .Select(t => new Change(t.Item1, t.Item2, t.Item3, t.Item4));

    private static readonly Gen<Case> Cases = Gen.Select(
        Pick(ConversationKind.Chat, ConversationKind.Review, ConversationKind.Onboarding, ConversationKind.Concept),
        Texts, Gen.Bool, Messages.Array[0, 25], Gen.Int[0, 30], Gen.Int[0, 2], Gen.Int[0, 9].Select(n => n > 0), Changes)
        .Select(t => new Case(t.Item1, t.Item2, t.Item3, t.Item4, t.Item5, t.Item6, t.Item7, t.Item8));

    [Fact]
    public void Any_conversation_reads_as_EF_Core_reads_it()
    {
        using var direct = new SqliteConversationReads(ConnectionString);
        var factory = _host.Get<IDbContextFactory<AppDbContext>>();
        Cases.Sample(c =>
        {
            var owner = c.AdasOwn ? _ada : _bob;
            var conversation = new Conversation { UserId = owner, Title = c.Title, Kind = c.Kind };
            conversation.Messages.AddRange(c.Messages.Select(m => new ConversationMessage { Role = m.Role, Content = m.Content, ContentTokens = m.Tokens }));
            using (var context = factory.CreateDbContext())
            {
                context.Conversations.Add(conversation);
                context.SaveChanges();
            }
            var asker = c.Asker switch { 0 => owner, 1 => owner == _ada ? _bob : _ada, _ => "nobody" };
            var id = c.OwnId ? conversation.Id : Guid.NewGuid();

            ReadAlike(direct, asker, id, c.Take);

            // The next turn: the same reader (with the texts it kept) must read the conversation as it is now.
            using (var context = factory.CreateDbContext())
            {
                var messages = context.Messages.Where(m => m.ConversationId == conversation.Id).OrderBy(m => m.Id).ToList();
                if (messages.Count > 0)
                {
                    var rewritten = messages[c.Then.Rewritten % messages.Count];
                    rewritten.Content = c.Then.How switch
                    {
                        0 => new string(rewritten.Content.Reverse().ToArray()), // same length, other text (mostly)
                        1 => new string(rewritten.Content.ToCharArray()),       // the same text, another string
                        _ => c.Then.Text,
                    };
                }
                context.Messages.AddRange(c.Then.Added.Select(m => new ConversationMessage { ConversationId = conversation.Id, Role = m.Role, Content = m.Content, ContentTokens = m.Tokens }));
                context.SaveChanges();
            }
            ReadAlike(direct, asker, id, c.Take);
        }, iter: 150, threads: 1);
    }

    [Fact]
    public async Task A_value_not_as_the_model_stores_it_is_declined_and_the_store_reads_it_through_EF_Core()
    {
        var store = _host.Get<ConversationStore>();
        var id = await store.CreateAsync(_ada, new LearnerContext());
        await using (var context = await _host.DbAsync())
        {
            context.Messages.Add(new ConversationMessage { ConversationId = id, Role = MessageRole.User, Content = "What is a loop?" });
            context.Messages.Add(new ConversationMessage { ConversationId = id, Role = MessageRole.Assistant, Content = "Something that repeats." });
            await context.SaveChangesAsync();
            // Written by hand, in a case EF Core's string conversion reads but the model never writes.
            await context.Database.ExecuteSqlRawAsync("UPDATE \"Messages\" SET \"Role\" = 'assistant' WHERE \"Role\" = 'Assistant'");
        }
        using var direct = new SqliteConversationReads(ConnectionString);
        Assert.False(direct.TryLoad(_ada, id, 11, out _));

        var loaded = await store.LoadAsync(_ada, id, CancellationToken.None);
        Assert.Equal([(MessageRole.User, "What is a loop?"), (MessageRole.Assistant, "Something that repeats.")],
            loaded!.History.Skip(1).Select(m => (m.Role, m.Content))); // after the greeting
    }

    [Fact]
    public void A_file_without_the_tables_is_declined()
    {
        var empty = Path.Combine(Path.GetTempPath(), $"empty-{Guid.NewGuid():N}.db");
        try
        {
            using var direct = new SqliteConversationReads($"Data Source={empty}");
            Assert.False(direct.TryLoad(_ada, Guid.NewGuid(), 11, out _));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(empty);
        }
    }

    [Fact]
    public async Task A_turn_on_SQLite_reads_its_conversation_straight_from_SQLite_and_sees_what_the_writer_committed()
    {
        var store = _host.Get<ConversationStore>();
        var take = _host.Get<IOptions<LlmOptions>>().Value.Context.MaxMessages + 1;
        var id = await store.CreateAsync(_ada, new LearnerContext());
        var first = await store.LoadAsync(_ada, id, CancellationToken.None); // decides, through EF Core, which engine is in use
        var greeting = Assert.Single(first!.History).Content;

        var writer = _host.Get<DatabaseWriter>();
        for (var i = 0; i < take + 3; i++)
        {
            var n = i;
            await writer.WriteAsync((context, _) =>
            {
                context.Messages.Add(new ConversationMessage { ConversationId = id, Role = n % 2 == 0 ? MessageRole.User : MessageRole.Assistant, Content = $"message {n}" });
                return Task.CompletedTask;
            });
            var before = store.DirectLoads;
            var loaded = await store.LoadAsync(_ada, id, CancellationToken.None);
            Assert.Equal(before + 1, store.DirectLoads);
            Assert.Equal(Enumerable.Range(0, n + 1).Select(k => $"message {k}").Prepend(greeting).TakeLast(take), loaded!.History.Select(m => m.Content));
        }
        Assert.Null(await store.LoadAsync(_bob, id, CancellationToken.None));

        // Unchanged messages read again are the strings read last time (the texts kept save making them again).
        var again = (await store.LoadAsync(_ada, id, CancellationToken.None))!.History;
        var once = (await store.LoadAsync(_ada, id, CancellationToken.None))!.History;
        Assert.All(again.Zip(once), pair => Assert.Same(pair.First.Content, pair.Second.Content));
    }

    private void ReadAlike(SqliteConversationReads direct, string asker, Guid id, int take)
    {
        Assert.True(direct.TryLoad(asker, id, take, out var read), "the direct read declined a conversation stored as the model stores it");
        using var oracleContext = _host.Get<IDbContextFactory<AppDbContext>>().CreateDbContext();
        var expected = ConversationStore.ReadAsync(oracleContext, asker, id, take, CancellationToken.None).GetAwaiter().GetResult();
        Assert.Equal(Describe(expected), Describe(read));
    }

    [Fact]
    public async Task Reads_on_many_threads_at_once_each_get_their_own_conversation_and_few_connections_stay_open()
    {
        var store = _host.Get<ConversationStore>();
        var ids = new List<Guid>();
        await using (var context = await _host.DbAsync())
        {
            for (var c = 0; c < 8; c++)
            {
                var conversation = new Conversation { UserId = _ada, Title = $"conversation {c}" };
                conversation.Messages.AddRange(Enumerable.Range(0, 5).Select(m => new ConversationMessage { Role = MessageRole.User, Content = $"{c}:{m}" }));
                context.Conversations.Add(conversation);
                ids.Add(conversation.Id);
            }
            await context.SaveChangesAsync();
        }
        using var direct = new SqliteConversationReads(ConnectionString, keep: 2); // fewer than the reads at once
        var wrong = 0;
        Parallel.For(0, 4000, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i =>
        {
            var c = i % ids.Count;
            if (!direct.TryLoad(_ada, ids[c], 11, out var read) || read!.Title != $"conversation {c}"
                || !read.History.Select(m => m.Content).SequenceEqual(Enumerable.Range(0, 5).Select(m => $"{c}:{m}")))
            {
                Interlocked.Increment(ref wrong);
            }
        });
        Assert.Equal(0, wrong);
        Assert.InRange(direct.IdleReaders, 1, direct.MostKept);
    }

    [Fact]
    public void Stored_bytes_match_a_kept_text_only_when_they_decode_to_exactly_it()
    {
        Gen.Select(Texts, Texts, Gen.Bool).Sample((a, b, same) =>
        {
            var kept = same ? a : b;
            var bytes = System.Text.Encoding.UTF8.GetBytes(a);
            Assert.Equal(System.Text.Encoding.UTF8.GetString(bytes) == kept, SqliteConversationReads.Decodes(bytes, kept));
        }, iter: 5000);
    }

    private static string Describe(LoadedConversation? conversation) => conversation is null ? "none" :
        $"{conversation.Title}|{conversation.Kind}|" + string.Join("|", conversation.History.Select(m => $"{m.Id}:{m.Role}:{m.ContentTokens}:{m.Content}"));
}
