using System.Collections.Concurrent;
using System.Text.Unicode;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Caching.Memory;
using SQLitePCL;

namespace CodeMentor.Core.Tutoring;

/// <summary>
/// A turn's two reads — the conversation's title and kind if it is the user's, and its newest messages — run straight
/// on SQLite, on connections of their own kept open with both statements compiled. Through EF Core each turn created a
/// context, opened a pooled connection (EF Core registers its dozen SQL functions with SQLite on every open and
/// unregisters them on close), compiled both statements again and made a data reader per query: about a third of what
/// the portal allocated for reading a turn's history, the texts themselves aside.
/// <para>The SQL is written here for the tables of <c>ConversationConfiguration</c> and
/// <c>ConversationMessageConfiguration</c>, and compared with EF Core's reads on generated conversations in
/// <c>SqliteConversationReadsTests</c>. When SQLite answers anything but rows and done (busy, a missing table, a value
/// not as the model stores it), <see cref="TryLoad"/> returns false having read nothing, and the caller reads through
/// EF Core, which then behaves and fails as it always has.</para>
/// <para>The texts of the messages a conversation's last read returned are kept (<see cref="KeptTexts"/>): the next turn
/// reads the same messages again, and a message whose stored bytes decode to exactly the kept text gets that string
/// instead of a new one. The database is still read every turn, so a message changed by any node or writer is read as
/// it is now; what is kept only saves making its string again.</para>
/// </summary>
internal sealed class SqliteConversationReads(string connectionString, int keep = 0) : IDisposable
{
    // Ids are stored as EF Core's SQLite provider stores a Guid: upper-case text.
    private const string HeaderSql = """
        SELECT "Title", "Kind" FROM "Conversations" WHERE "Id" = @id AND "UserId" = @user LIMIT 2
        """;

    private const string HistorySql = """
        SELECT "Id", "Role", "Content", "ContentTokens" FROM "Messages"
        WHERE "ConversationId" = @id AND "Content" <> '' ORDER BY "Id" DESC LIMIT @take
        """;

    // Own connections, not from Microsoft.Data.Sqlite's pool: they stay open as long as they are kept, and nothing set on
    // them can follow a pooled connection to EF Core.
    private readonly string _connectionString = new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString();

    // A queue with its own count: ConcurrentBag's Count takes every one of its locks, and its TryTake steals from other
    // threads' lists; under 300 streams those locks were most of the server's thread time.
    private readonly ConcurrentQueue<Reader> _idle = new();
    private int _idleCount;

    // Reads run synchronously (as EF Core's SQLite reads do), one per thread-pool thread at most. Keeping up to
    // max(32, 8 × cores) instead, so that no reader is opened again under 300 streams, made the 100-stream first-token
    // p95 worse in alternating runs (docs/benchmarks.md, 2026-11-29): two per core are kept.
    private readonly int _keep = keep > 0 ? keep : Math.Max(4, 2 * Environment.ProcessorCount);
    private volatile bool _disposed;
    private int _answered;

    /// <summary>Characters of message text kept for the next turns' reads, across conversations (16 MB of strings); the
    /// least recently read conversations' texts go first.</summary>
    internal const long KeptCharacters = 8 * 1024 * 1024;

    private readonly MemoryCache _keptTexts = new(new MemoryCacheOptions { SizeLimit = KeptCharacters });

    /// <summary>A conversation's message texts as its last read returned them, by message id, newest first.</summary>
    private sealed record KeptTexts((long Id, string Content)[] Messages);

    /// <summary>Readers kept open for the next reads (what tests check).</summary>
    internal int IdleReaders => Volatile.Read(ref _idleCount);

    /// <summary>Most readers kept open between reads.</summary>
    internal int MostKept => _keep;

    /// <summary>Reads answered here rather than through EF Core (what tests check).</summary>
    internal int Answered => Volatile.Read(ref _answered);

    /// <summary>Reads through SQLite directly: true with the conversation (null when it is not this user's or does not
    /// exist), or false, nothing read, when the caller must read through EF Core.</summary>
    public bool TryLoad(string userId, Guid conversationId, int take, out LoadedConversation? conversation)
    {
        conversation = null;
        if (_disposed || (TryTakeIdle() ?? Reader.TryOpen(_connectionString)) is not { } taken)
        {
            return false;
        }
        var answered = false;
        try
        {
            var kept = _keptTexts.TryGetValue(conversationId, out KeptTexts? texts) ? texts : null;
            answered = taken.TryLoad(userId, conversationId, take, kept, out conversation);
            if (answered)
            {
                Interlocked.Increment(ref _answered);
                Keep(conversationId, conversation);
            }
        }
        finally
        {
            // A reader that failed is not trusted again: its connection may be what failed.
            var reusable = answered && !_disposed;
            if (reusable && Interlocked.Increment(ref _idleCount) <= _keep)
            {
                _idle.Enqueue(taken);
            }
            else
            {
                if (reusable)
                {
                    Interlocked.Decrement(ref _idleCount);
                }
                taken.Dispose();
            }
        }
        if (_disposed)
        {
            DisposeIdle();
        }
        return answered;
    }

    /// <summary>Keeps what was read for the next turn.</summary>
    private void Keep(Guid conversationId, LoadedConversation? conversation)
    {
        if (conversation is null)
        {
            return;
        }
        var history = conversation.History;
        var messages = new (long, string)[history.Count];
        long characters = 0;
        for (var i = 0; i < history.Count; i++)
        {
            messages[history.Count - 1 - i] = (history[i].Id, history[i].Content);
            characters += history[i].Content.Length;
        }
        if (characters > 0 && characters <= KeptCharacters / 16)
        {
            _keptTexts.Set(conversationId, new KeptTexts(messages), new MemoryCacheEntryOptions
            {
                Size = characters,
                SlidingExpiration = TimeSpan.FromMinutes(30),
            });
        }
    }

    public void Dispose()
    {
        _disposed = true;
        DisposeIdle();
        // Cleared, not disposed: a read finishing as the host stops may still look here.
        _keptTexts.Clear();
    }

    private Reader? TryTakeIdle()
    {
        if (_idle.TryDequeue(out var reader))
        {
            Interlocked.Decrement(ref _idleCount);
            return reader;
        }
        return null;
    }

    private void DisposeIdle()
    {
        while (TryTakeIdle() is { } reader)
        {
            reader.Dispose();
        }
    }

    /// <summary>Whether <paramref name="utf8"/> decodes to exactly <paramref name="text"/>, compared a block at a time
    /// without making a string.</summary>
    internal static bool Decodes(ReadOnlySpan<byte> utf8, string text)
    {
        Span<char> block = stackalloc char[256];
        var rest = text.AsSpan();
        while (!utf8.IsEmpty)
        {
            var status = Utf8.ToUtf16(utf8, block, out var read, out var written, replaceInvalidSequences: true, isFinalBlock: true);
            if ((read == 0 && written == 0) || status is not (System.Buffers.OperationStatus.Done or System.Buffers.OperationStatus.DestinationTooSmall)
                || !rest.StartsWith(block[..written], StringComparison.Ordinal))
            {
                return false;
            }
            rest = rest[written..];
            utf8 = utf8[read..];
        }
        return rest.IsEmpty;
    }

    /// <summary>One kept connection and its two compiled statements; used by one read at a time.</summary>
    private sealed class Reader : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly sqlite3_stmt _header;
        private readonly sqlite3_stmt _history;

        private Reader(SqliteConnection connection, sqlite3_stmt header, sqlite3_stmt history) =>
            (_connection, _header, _history) = (connection, header, history);

        public static Reader? TryOpen(string connectionString)
        {
            var connection = new SqliteConnection(connectionString);
            sqlite3_stmt? header = null;
            try
            {
                connection.Open();
                if (Prepare(connection.Handle!, HeaderSql) is { } h)
                {
                    header = h;
                    if (Prepare(connection.Handle!, HistorySql) is { } history)
                    {
                        return new Reader(connection, h, history);
                    }
                }
            }
            catch (SqliteException)
            {
                // The file cannot be opened as configured: EF Core's read will say why.
            }
            header?.Dispose();
            connection.Dispose();
            return null;
        }

        private static sqlite3_stmt? Prepare(sqlite3 db, string sql)
        {
            if (raw.sqlite3_prepare_v2(db, sql, out var statement) == raw.SQLITE_OK && !statement.IsInvalid)
            {
                return statement;
            }
            statement?.Dispose();
            return null;
        }

        public bool TryLoad(string userId, Guid conversationId, int take, KeptTexts? kept, out LoadedConversation? conversation)
        {
            conversation = null;
            var next = 0; // kept texts are newest first, as the rows come
            Span<byte> id = stackalloc byte[36];
            conversationId.TryFormat(id, out _, "D");
            System.Text.Ascii.ToUpperInPlace(id, out _);
            try
            {
                if (raw.sqlite3_bind_text(_header, 1, id) != raw.SQLITE_OK || Data.KeptSqliteStatement.BindUtf8(_header, 2, userId) != raw.SQLITE_OK)
                {
                    return false;
                }
                var step = raw.sqlite3_step(_header);
                if (step == raw.SQLITE_DONE)
                {
                    return true; // not this user's conversation, or none
                }
                if (step != raw.SQLITE_ROW || raw.sqlite3_column_type(_header, 0) != raw.SQLITE_TEXT
                    || !TryParse(_header, 1, out ConversationKind kind))
                {
                    return false;
                }
                var title = raw.sqlite3_column_text(_header, 0).utf8_to_string();
                if (raw.sqlite3_step(_header) != raw.SQLITE_DONE)
                {
                    return false; // a second row, or an error: EF Core's SingleOrDefault says which
                }

                if (raw.sqlite3_bind_text(_history, 1, id) != raw.SQLITE_OK || raw.sqlite3_bind_int64(_history, 2, take) != raw.SQLITE_OK)
                {
                    return false;
                }
                var history = new List<ConversationMessage>(Math.Max(0, take));
                while ((step = raw.sqlite3_step(_history)) == raw.SQLITE_ROW)
                {
                    if (raw.sqlite3_column_type(_history, 0) != raw.SQLITE_INTEGER || raw.sqlite3_column_type(_history, 2) != raw.SQLITE_TEXT
                        || raw.sqlite3_column_type(_history, 3) is not (raw.SQLITE_NULL or raw.SQLITE_INTEGER)
                        || !TryParse(_history, 1, out MessageRole role))
                    {
                        return false;
                    }
                    var messageId = raw.sqlite3_column_int64(_history, 0);
                    history.Add(new ConversationMessage
                    {
                        Id = messageId,
                        Role = role,
                        Content = KeptOrRead(kept, ref next, messageId),
                        ContentTokens = raw.sqlite3_column_type(_history, 3) == raw.SQLITE_NULL ? null : (int)raw.sqlite3_column_int64(_history, 3),
                    });
                }
                if (step != raw.SQLITE_DONE)
                {
                    return false;
                }
                history.Reverse();
                conversation = new LoadedConversation(title, kind, history);
                return true;
            }
            finally
            {
                raw.sqlite3_reset(_header);
                raw.sqlite3_clear_bindings(_header);
                raw.sqlite3_reset(_history);
                raw.sqlite3_clear_bindings(_history);
            }
        }

        /// <summary>The message's text: the kept string when the stored bytes decode to exactly it, otherwise made from
        /// them as Microsoft.Data.Sqlite's reader makes a string of a text column.</summary>
        private string KeptOrRead(KeptTexts? kept, ref int next, long messageId)
        {
            if (kept is not null)
            {
                var messages = kept.Messages;
                while (next < messages.Length && messages[next].Id > messageId)
                {
                    next++;
                }
                if (next < messages.Length && messages[next].Id == messageId
                    && Decodes(raw.sqlite3_column_blob(_history, 2), messages[next].Content))
                {
                    return messages[next].Content;
                }
            }
            return raw.sqlite3_column_text(_history, 2).utf8_to_string();
        }

        /// <summary>An enum stored by its name (EF Core's string conversion), read without making a string of it.</summary>
        private static bool TryParse<TEnum>(sqlite3_stmt statement, int column, out TEnum value) where TEnum : struct, Enum
        {
            value = default;
            if (raw.sqlite3_column_type(statement, column) != raw.SQLITE_TEXT)
            {
                return false;
            }
            var bytes = raw.sqlite3_column_blob(statement, column);
            Span<char> name = stackalloc char[32];
            return bytes.Length <= name.Length
                && System.Text.Ascii.ToUtf16(bytes, name, out var written) == System.Buffers.OperationStatus.Done
                && Enum.TryParse(name[..written], out value) && Enum.IsDefined(value);
        }

        public void Dispose()
        {
            _header.Dispose();
            _history.Dispose();
            _connection.Dispose();
        }
    }
}
