using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CodeMentor.Core.Data;

/// <summary>
/// Per-connection SQLite settings: in WAL mode (set once at startup, it persists in the file),
/// synchronous=NORMAL commits without waiting for the disk on every transaction; the database
/// stays consistent after a crash or power cut, which can only lose the last commits. Waiting
/// for fsync on every commit made the one writer the bottleneck of every chat turn.
/// wal_autocheckpoint=0: no commit copies the log into the database file; <see cref="SqliteCheckpointer"/> does that
/// in the background, so no chat turn waits for it.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    // The connections these settings were given to. Microsoft.Data.Sqlite pools connections: a context's "open" is
    // mostly a pooled connection handed out again, which keeps its settings, so they are sent once per connection
    // (sending them on every open was a statement more for every statement of a turn).
    private static readonly ConditionalWeakTable<sqlite3, object> Configured = new();

    private static void Apply(DbConnection connection)
    {
        var handle = (connection as SqliteConnection)?.Handle;
        if (handle is not null && Configured.TryGetValue(handle, out _))
        {
            return;
        }
        using (var command = connection.CreateCommand())
        {
            command.CommandText = Pragmas;
            command.ExecuteNonQuery();
        }
        if (handle is not null)
        {
            Configured.AddOrUpdate(handle, Configured);
        }
    }
}
