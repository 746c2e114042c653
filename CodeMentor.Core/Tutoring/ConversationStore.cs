using CodeMentor.Core.Data;
using CodeMentor.Core.Llm;
using CodeMentor.Core.Prompts;
using CodeMentor.Core.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CodeMentor.Core.Tutoring;

/// <summary>A conversation as a reply needs it: its kind, title and newest messages.</summary>
internal sealed record LoadedConversation(string Title, ConversationKind Kind, List<ConversationMessage> History);

/// <summary>
/// Conversations as stored: list, read, search, create, rename, pin, archive. Every method takes the
/// signed-in user's id and every query filters by it, so a conversation id from someone else finds
/// nothing. Reads go straight to the database; writes go through the <see cref="DatabaseWriter"/>.
/// Turns and replies are <see cref="ConversationService"/>'s.
/// </summary>
public sealed class ConversationStore(
    IDbContextFactory<AppDbContext> db,
    DatabaseWriter writer,
    TokenCounter tokens,
    IOptions<LlmOptions> options,
    SharedState.SharedStateMode sharedState,
    TimeProvider time) : IDisposable
{
    /// <summary>A turn's write to its conversation: updated now (values: time, conversation id).</summary>
    internal static readonly PerModel<PreparedStatement> TouchConversation = new(context => PreparedStatement.Update<Conversation>(context,
        set: [nameof(Conversation.UpdatedAtUtc)], where: [nameof(Conversation.Id)]));

    /// <summary>A learner's message written to a conversation: updated now, titled, out of the archive (writing in an
    /// archived chat brings it back). Values: time, title, archived, conversation id.</summary>
    internal static readonly PerModel<PreparedStatement> ReopenConversation = new(context => PreparedStatement.Update<Conversation>(context,
        set: [nameof(Conversation.UpdatedAtUtc), nameof(Conversation.Title), nameof(Conversation.Archived)], where: [nameof(Conversation.Id)]));

    public async Task<IReadOnlyList<ConversationSummary>> ListAsync(string userId, CancellationToken ct = default) =>
        await ListAsync(userId, ConversationKind.Chat, ct);

    public async Task<IReadOnlyList<ConversationSummary>> ListAsync(string userId, ConversationKind kind, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        return await context.Conversations.AsNoTracking()
            .Where(c => c.UserId == userId && c.Kind == kind)
            .OrderByDescending(c => c.PinnedAtUtc != null).ThenByDescending(c => c.PinnedAtUtc).ThenByDescending(c => c.UpdatedAtUtc)
            .Select(c => new ConversationSummary(c.Id, c.Title, c.UpdatedAtUtc, c.PinnedAtUtc != null, c.Archived))
            .ToListAsync(ct);
    }

    public async Task<ConversationView?> GetAsync(string userId, Guid conversationId, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var conversation = await context.Conversations.AsNoTracking()
            .Where(c => c.Id == conversationId && c.UserId == userId)
            .Select(c => new { c.Id, c.Title })
            .SingleOrDefaultAsync(ct);
        if (conversation is null)
        {
            return null;
        }
        var messages = await context.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversationId)
            .OrderBy(m => m.Id)
            .ToListAsync(ct);
        return new ConversationView(conversation.Id, conversation.Title, messages);
    }

    /// <summary>Starts a conversation with the tutor's greeting (rendered locally; no model call). A chat
    /// the learner has not written in yet is reused instead, so "New conversation" twice leaves one.</summary>
    /// <param name="reuseUnused">False for clients that each need their own conversation (two editor
    /// sessions of one learner starting at once must not be handed the same one).</param>
    public async Task<Guid> CreateAsync(string userId, LearnerContext learner, CancellationToken ct = default, bool reuseUnused = true)
    {
        await using (var context = reuseUnused ? await db.CreateDbContextAsync(ct) : null)
        {
            var unused = context is null ? null : await context.Conversations.AsNoTracking()
                .Where(c => c.UserId == userId && c.Kind == ConversationKind.Chat && !c.Archived && !c.Messages.Any(m => m.Role == MessageRole.User))
                .OrderByDescending(c => c.UpdatedAtUtc).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct);
            if (unused is { } id)
            {
                return id;
            }
        }
        return await CreateAsync(userId, ConversationKind.Chat, ConversationGreeting.Instance.Render(learner), Conversation.DefaultTitle, ct);
    }

    /// <summary>The user's chats whose title or any message contains the text (case-insensitive),
    /// newest first, each with where it matched.</summary>
    public async Task<IReadOnlyList<ConversationMatch>> SearchAsync(string userId, string text, CancellationToken ct = default)
    {
        text = text.Trim();
        if (text.Length == 0)
        {
            return [];
        }
        // Case-insensitive on both engines: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
        var pattern = "%" + text.ToLowerInvariant().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
        await using var context = await db.CreateDbContextAsync(ct);
        var rows = await context.Conversations.AsNoTracking()
            .Where(c => c.UserId == userId && c.Kind == ConversationKind.Chat)
            .Select(c => new
            {
                c.Id, c.Title, c.UpdatedAtUtc, Pinned = c.PinnedAtUtc != null, c.Archived,
                InTitle = EF.Functions.Like(c.Title.ToLower(), pattern, "\\"),
                Message = c.Messages.Where(m => EF.Functions.Like(m.Content.ToLower(), pattern, "\\")).OrderBy(m => m.Id).Select(m => m.Content).FirstOrDefault(),
            })
            .Where(c => c.InTitle || c.Message != null)
            .OrderByDescending(c => c.UpdatedAtUtc).Take(50).ToListAsync(ct);
        return rows.Select(r => new ConversationMatch(new ConversationSummary(r.Id, r.Title, r.UpdatedAtUtc, r.Pinned, r.Archived),
            r.Message is null ? null : Snippet(r.Message, text))).ToList();
    }

    /// <summary>About 80 characters of the text around the first occurrence of the search.</summary>
    internal static string Snippet(string content, string text)
    {
        var at = content.IndexOf(text, StringComparison.OrdinalIgnoreCase);
        var start = Math.Max(0, at - 30);
        var end = Math.Min(content.Length, Math.Max(at, 0) + text.Length + 50);
        var snippet = string.Join(' ', content[start..end].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return (start > 0 ? "…" : "") + snippet + (end < content.Length ? "…" : "");
    }

    /// <summary>Creates a conversation of any kind, opened by the given assistant text (if any).</summary>
    public async Task<Guid> CreateAsync(string userId, ConversationKind kind, string? opening, string title, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var conversation = new Conversation { UserId = userId, Kind = kind, Title = title, CreatedAtUtc = now, UpdatedAtUtc = now };
        if (opening is not null)
        {
            conversation.Messages.Add(new ConversationMessage
            {
                Role = MessageRole.Assistant,
                Content = opening,
                ContentTokens = tokens.CountText(opening),
                CreatedAtUtc = now,
            });
        }
        await writer.WriteAsync((context, _) =>
        {
            context.Conversations.Add(conversation);
            return Task.CompletedTask;
        });
        return conversation.Id;
    }

    public async Task<bool> RenameAsync(string userId, Guid conversationId, string title, CancellationToken ct = default)
    {
        title = string.Join(' ', title.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (title.Length == 0)
        {
            return false;
        }
        title = TextLimits.Shorten(title, Conversation.MaxTitleLength);
        return await writer.WriteAsync(async (context, token) =>
            await context.Conversations.Where(c => c.Id == conversationId && c.UserId == userId)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Title, title), token) == 1);
    }

    /// <summary>Pins a chat to the top of the list (newest pin first) or unpins it. Pinning an archived
    /// chat restores it.</summary>
    public async Task<bool> SetPinnedAsync(string userId, Guid conversationId, bool pinned, CancellationToken ct = default)
    {
        DateTime? pinnedAt = pinned ? time.GetUtcNow().UtcDateTime : null;
        return await writer.WriteAsync(async (context, token) =>
            await context.Conversations.Where(c => c.Id == conversationId && c.UserId == userId)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.PinnedAtUtc, pinnedAt).SetProperty(c => c.Archived, c => pinned ? false : c.Archived), token) == 1);
    }

    /// <summary>Archives a chat (it leaves the list and loses its pin) or restores it.</summary>
    public async Task<bool> SetArchivedAsync(string userId, Guid conversationId, bool archived, CancellationToken ct = default) =>
        await writer.WriteAsync(async (context, token) =>
            await context.Conversations.Where(c => c.Id == conversationId && c.UserId == userId)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Archived, archived).SetProperty(c => c.PinnedAtUtc, c => archived ? null : c.PinnedAtUtc), token) == 1);

    /// <summary>The conversation (if it is the user's) and its newest messages: two indexed reads on
    /// one connection. The window keeps at most LLM_CONTEXT_MAX_MESSAGES of them, so a few more are
    /// read, never all (numbering every message of a long conversation cost milliseconds a turn).</summary>
    internal async Task<LoadedConversation?> LoadAsync(string userId, Guid conversationId, CancellationToken ct)
    {
        // What the newest prompt can hold (the window keeps MaxMessages), and one more: answering again or editing the last
        // question answers from before the last reply. Older messages would be read from the database for nothing.
        var take = options.Value.Context.MaxMessages + 1;
        if (_directReads is { } direct)
        {
            ct.ThrowIfCancellationRequested();
            if (direct.TryLoad(userId, conversationId, take, out var loaded))
            {
                return loaded;
            }
        }
        await using var context = await db.CreateDbContextAsync(ct);
        if (!_decided)
        {
            DecideDirectReads(context);
        }
        return await ReadAsync(context, userId, conversationId, take, ct);
    }

    /// <summary>The two reads through EF Core (PostgreSQL, and SQLite when the direct read declines).</summary>
    internal static async Task<LoadedConversation?> ReadAsync(AppDbContext context, string userId, Guid conversationId, int take, CancellationToken ct)
    {
        await context.Database.OpenConnectionAsync(ct);
        if (await FindHeader.For(context)(context, conversationId, userId, ct) is not { } found)
        {
            return null;
        }
        var history = new List<ConversationMessage>(take);
        await foreach (var message in RecentHistory.For(context)(context, conversationId, take).WithCancellation(ct))
        {
            history.Add(message);
        }
        history.Reverse();
        return new LoadedConversation(found.Title, found.Kind, history);
    }

    // On SQLite, a turn's reads go straight to SQLite (see SqliteConversationReads); which engine the contexts use is
    // known from the first context made.
    private readonly Lock _deciding = new();
    private volatile bool _decided;
    private SqliteConversationReads? _directReads;

    private void DecideDirectReads(AppDbContext context)
    {
        lock (_deciding)
        {
            if (!_decided)
            {
                _directReads = DatabaseEngine.Of(context) is SqliteEngine sqlite ? new SqliteConversationReads(sqlite.ConnectionString) : null;
                _decided = true;
            }
        }
    }

    /// <summary>Turns whose reads went straight to SQLite (what tests check).</summary>
    internal int DirectLoads => _directReads?.Answered ?? 0;

    public void Dispose() => _directReads?.Dispose();

    // Every turn reads these two: compiled once per model, so a turn does not build and look up their expression trees again.
    private sealed record Header(string Title, ConversationKind Kind);

    private static readonly PerModel<Func<AppDbContext, Guid, string, CancellationToken, Task<Header?>>> FindHeader = new(_ => EF.CompileAsyncQuery(
        (AppDbContext context, Guid conversationId, string userId, CancellationToken ct) => context.Conversations.AsNoTracking()
            .Where(c => c.Id == conversationId && c.UserId == userId)
            .Select(c => new Header(c.Title, c.Kind))
            .SingleOrDefault()));

    // Only what a prompt needs of each message, newest first.
    private static readonly PerModel<Func<AppDbContext, Guid, int, IAsyncEnumerable<ConversationMessage>>> RecentHistory = new(_ => EF.CompileAsyncQuery(
        (AppDbContext context, Guid conversationId, int take) => context.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversationId && m.Content != "")
            .OrderByDescending(m => m.Id)
            .Take(take)
            .Select(m => new ConversationMessage { Id = m.Id, Role = m.Role, Content = m.Content, ContentTokens = m.ContentTokens })));

    /// <summary>With several nodes: whether a reply in the conversation is being written, on any node
    /// (this node's own runs are known without asking). One node alone never needs to ask.</summary>
    internal async Task<bool> AnsweringOnAnyNodeAsync(Guid conversationId, CancellationToken ct)
    {
        if (!sharedState.Distributed)
        {
            return false;
        }
        await using var context = await db.CreateDbContextAsync(ct);
        return await context.Messages.AnyAsync(m => m.ConversationId == conversationId && m.Status == MessageStatus.Streaming, ct);
    }

    internal async Task<bool> OwnsAsync(string userId, Guid conversationId, CancellationToken ct)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        return await context.Conversations.AnyAsync(c => c.Id == conversationId && c.UserId == userId, ct);
    }
}
