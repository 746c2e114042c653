using System.Data.Common;
using CodeMentor.Core.Data;
using CodeMentor.Core.Tutoring;
using CodeMentor.Core.Usage;
using CodeMentor.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CodeMentor.Tests.Integration;

/// <summary>The statements of a chat turn's path, prepared once from the model: rows are stored exactly as EF Core's
/// SaveChanges stores them, updates do what their ExecuteUpdate did, and every statement still runs through EF Core's
/// command pipeline (interceptors, logging, the diagnostic events OpenTelemetry reads), on both engines.</summary>
public abstract class PreparedStatementTests(DatabaseProvider database) : IAsyncLifetime
{
    private CoreHost _host = default!;

    public async Task InitializeAsync() => _host = await CoreHost.StartAsync(database: database);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<Guid> NewConversationAsync()
    {
        await using var context = await _host.DbAsync();
        var user = new Core.Accounts.AppUser { UserName = "ada-" + Guid.NewGuid().ToString("N")[..8], Email = "ada@example.org" };
        context.Users.Add(user);
        var conversation = new Conversation { UserId = user.Id, CreatedAtUtc = DateTime.UtcNow, UpdatedAtUtc = DateTime.UtcNow };
        context.Conversations.Add(conversation);
        await context.SaveChangesAsync();
        return conversation.Id;
    }

    /// <summary>Every stored column of a table's row but its key, as the database hands it back (no EF conversion).</summary>
    private async Task<Dictionary<string, object?>> StoredAsync(string table, long id)
    {
        await using var context = await _host.DbAsync();
        var connection = context.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM \"{table}\" WHERE \"Id\" = {id}";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"row {id} of {table} is stored");
        var row = new Dictionary<string, object?>();
        for (var i = 0; i < reader.FieldCount; i++)
        {
            if (reader.GetName(i) != "Id")
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }
        }
        return row;
    }

    private static ConversationMessage Message(Guid conversation, string? provider) => new()
    {
        ConversationId = conversation, Role = MessageRole.Assistant, Content = "χρῆν — a reply\nwith two lines", Reasoning = null,
        Status = MessageStatus.Streaming, Node = "node-a", StatusDetail = null, CreatedAtUtc = new DateTime(2026, 11, 27, 13, 5, 7, 123, DateTimeKind.Utc).AddTicks(4567),
        Provider = provider, Model = "openai/gpt-oss-20b", InputTokens = 120, OutputTokens = null, ReasoningTokens = 0, ContentTokens = 7,
        CostPico = 1_234_567, Sources = "[]", FromCache = true,
    };

    [Fact]
    public async Task A_message_is_stored_exactly_as_SaveChanges_stores_it_and_gets_its_key()
    {
        var conversation = await NewConversationAsync();
        var bySaveChanges = Message(conversation, provider: "groq");
        var prepared = Message(conversation, provider: "groq");
        var second = Message(conversation, provider: null);
        await using (var context = await _host.DbAsync())
        {
            context.Messages.Add(bySaveChanges);
            await context.SaveChangesAsync();
            await EntityInsert<ConversationMessage>.InsertAsync(context, prepared, CancellationToken.None);
            await EntityInsert<ConversationMessage>.InsertAsync(context, second, CancellationToken.None);
        }

        Assert.True(prepared.Id > bySaveChanges.Id);
        Assert.Equal(prepared.Id + 1, second.Id);
        Assert.Equal(await StoredAsync("Messages", bySaveChanges.Id), await StoredAsync("Messages", prepared.Id));
        Assert.Null((await StoredAsync("Messages", second.Id))["Provider"]);
        Assert.Equal("Streaming", (await StoredAsync("Messages", prepared.Id))["Status"]); // the enum as its name, as the model says
    }

    [Fact]
    public async Task Through_the_database_writer_messages_are_stored_as_SaveChanges_stores_them_run_after_run()
    {
        // On SQLite the writer keeps the statement and its parameters from run to run (ReusedStatements): the first run
        // makes them, later runs only set values, including nulls where the run before had values and back.
        var conversation = await NewConversationAsync();
        var writer = _host.Get<DatabaseWriter>();
        foreach (var provider in new[] { "groq", null, "ollama", null })
        {
            var bySaveChanges = Message(conversation, provider);
            var prepared = Message(conversation, provider);
            prepared.Status = bySaveChanges.Status = provider is null ? MessageStatus.Failed : MessageStatus.Complete;
            prepared.OutputTokens = bySaveChanges.OutputTokens = provider is null ? null : 42;
            await using (var context = await _host.DbAsync())
            {
                context.Messages.Add(bySaveChanges);
                await context.SaveChangesAsync();
            }
            await writer.WriteAsync((context, ct) => EntityInsert<ConversationMessage>.InsertAsync(context, prepared, ct));

            Assert.True(prepared.Id > bySaveChanges.Id);
            Assert.Equal(await StoredAsync("Messages", bySaveChanges.Id), await StoredAsync("Messages", prepared.Id));
        }
    }

    [Fact]
    public async Task A_ledger_row_is_stored_exactly_as_SaveChanges_stores_it()
    {
        LedgerEntry Row() => new()
        {
            TimestampUtc = new DateTime(2026, 11, 27, 9, 0, 1, 5, DateTimeKind.Utc), UserId = "user-1", ConversationId = Guid.NewGuid(), CourseId = null,
            Feature = "chat", Provider = "groq", Model = "openai/gpt-oss-20b", InputTokens = 120, OutputTokens = 200, ReasoningTokens = 3,
            CachedInputTokens = 64, CostPico = null, SavedCostPico = 17, LatencyMs = 812, TimeToFirstTokenMs = 90, Attempts = 2, OverheadMs = 4,
            Outcome = LedgerOutcomes.Ok, FailureCategory = null, Estimated = true,
        };
        var bySaveChanges = Row();
        var prepared = Row();
        prepared.ConversationId = bySaveChanges.ConversationId;
        await using (var context = await _host.DbAsync())
        {
            context.Ledger.Add(bySaveChanges);
            await context.SaveChangesAsync();
            await EntityInsert<LedgerEntry>.InsertAsync(context, prepared, CancellationToken.None);
        }

        Assert.Equal(await StoredAsync("Ledger", bySaveChanges.Id), await StoredAsync("Ledger", prepared.Id));
    }

    [Fact]
    public async Task A_row_with_its_own_key_is_stored_as_SaveChanges_stores_it_refused_without_a_key_and_deleted_by_key()
    {
        InFlightCall Call() => new()
        {
            Id = Guid.NewGuid(), StartedAtUtc = new DateTime(2026, 11, 27, 9, 0, 0, DateTimeKind.Utc), UserId = "user-1", ConversationId = null,
            Feature = "chat", Provider = "groq", Model = "openai/gpt-oss-20b", PromptTokens = 120, OutputTokensSoFar = 7,
            LastProgressUtc = new DateTime(2026, 11, 27, 9, 0, 1, 250, DateTimeKind.Utc), Node = "node-a",
        };
        var bySaveChanges = Call();
        var prepared = Call();
        await using var context = await _host.DbAsync();
        context.InFlightCalls.Add(bySaveChanges);
        await context.SaveChangesAsync();
        await EntityInsert<InFlightCall>.InsertAsync(context, prepared, CancellationToken.None);

        async Task<object> StoredCallAsync(Guid id) => Assert.Single(await context.InFlightCalls.AsNoTracking().Where(c => c.Id == id)
            .Select(c => new
            {
                c.StartedAtUtc, c.UserId, c.ConversationId, c.Feature, c.Provider, c.Model, c.PromptTokens, c.OutputTokensSoFar,
                c.LastProgressUtc, c.Node,
            }).ToListAsync());
        Assert.Equal(await StoredCallAsync(bySaveChanges.Id), await StoredCallAsync(prepared.Id));
        await Assert.ThrowsAsync<InvalidOperationException>(() => EntityInsert<InFlightCall>.InsertAsync(context, new InFlightCall { UserId = "u" }, CancellationToken.None));

        var forget = PreparedStatement.Delete<InFlightCall>(context, nameof(InFlightCall.Id));
        Assert.Equal(1, await forget.ExecuteAsync(context, [prepared.Id], CancellationToken.None));
        Assert.Equal([bySaveChanges.Id], await context.InFlightCalls.Select(c => c.Id).ToListAsync());
    }

    [Fact]
    public async Task An_update_sets_its_columns_where_its_keys_match_and_keeps_a_column_given_null_when_told_to()
    {
        var conversation = await NewConversationAsync();
        var message = Message(conversation, provider: "groq");
        await using var context = await _host.DbAsync();
        await EntityInsert<ConversationMessage>.InsertAsync(context, message, CancellationToken.None);
        var finish = PreparedStatement.Update<ConversationMessage>(context,
            set: [nameof(ConversationMessage.Content), nameof(ConversationMessage.Provider), nameof(ConversationMessage.Status)],
            where: [nameof(ConversationMessage.Id), nameof(ConversationMessage.Status)],
            keepWhenNull: nameof(ConversationMessage.Provider));

        // A condition that does not hold (the reply is streaming, not complete) changes nothing.
        Assert.Equal(0, await finish.ExecuteAsync(context, ["lost", null, MessageStatus.Failed, message.Id, MessageStatus.Complete], CancellationToken.None));
        Assert.Equal(1, await finish.ExecuteAsync(context, ["done", null, MessageStatus.Complete, message.Id, MessageStatus.Streaming], CancellationToken.None));
        var stored = await StoredAsync("Messages", message.Id);
        Assert.Equal(["done", "groq", "Complete"], [stored["Content"], stored["Provider"], stored["Status"]]);

        Assert.Equal(1, await finish.ExecuteAsync(context, ["again", "ollama", MessageStatus.Stopped, message.Id, MessageStatus.Complete], CancellationToken.None));
        stored = await StoredAsync("Messages", message.Id);
        Assert.Equal(["again", "ollama", "Stopped"], [stored["Content"], stored["Provider"], stored["Status"]]);
        await Assert.ThrowsAsync<ArgumentException>(() => finish.ExecuteAsync(context, ["too few"], CancellationToken.None));
    }

    [Fact]
    public async Task A_prepared_statement_runs_through_the_interceptors_of_the_context_that_runs_it()
    {
        var conversation = await NewConversationAsync();
        var seen = new SeenCommands();
        var options = new DbContextOptionsBuilder<AppDbContext>();
        _host.Get<DatabaseEngine>().Configure(options);
        options.AddInterceptors(seen);
        await using var context = new AppDbContext(options.Options);
        var message = Message(conversation, provider: "groq");

        await EntityInsert<ConversationMessage>.InsertAsync(context, message, CancellationToken.None);
        await ConversationStore.TouchConversation.For(context).ExecuteAsync(context, [DateTime.UtcNow, conversation], CancellationToken.None);

        Assert.Contains(seen.Texts, t => t.StartsWith("INSERT INTO \"Messages\"", StringComparison.Ordinal) && t.Contains("RETURNING", StringComparison.Ordinal));
        Assert.Contains(seen.Texts, t => t.StartsWith("UPDATE \"Conversations\" SET \"UpdatedAtUtc\"", StringComparison.Ordinal));
    }

    private sealed class SeenCommands : DbCommandInterceptor
    {
        public List<string> Texts { get; } = [];

        public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken ct = default)
        {
            Texts.Add(command.CommandText);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken ct = default)
        {
            Texts.Add(command.CommandText);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken ct = default)
        {
            Texts.Add(command.CommandText);
            return ValueTask.FromResult(result);
        }
    }

    public sealed class OnSqlite() : PreparedStatementTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : PreparedStatementTests(DatabaseProvider.Postgres);
}
