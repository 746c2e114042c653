using System.Data.Common;
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

    private static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }
}
