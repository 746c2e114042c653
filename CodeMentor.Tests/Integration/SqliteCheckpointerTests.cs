using CodeMentor.Core.Data;
using CodeMentor.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CodeMentor.Tests.Integration;

/// <summary>No commit copies SQLite's log into the database file (that made one chat turn in a hundred wait ~15 ms);
/// the background checkpointer does, on its own clock.</summary>
public sealed class SqliteCheckpointerTests
{
    [Fact]
    public async Task Commits_leave_the_log_to_the_background_checkpoint_which_then_copies_all_of_it()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-27T09:00:00Z"));
        await using var host = await CoreHost.StartAsync(configure: s => s.AddSingleton<TimeProvider>(clock));
        // Held open (outside the pool) for the whole test: other tests' teardown clears every SQLite pool, and the last
        // connection to close checkpoints the log itself, which would hide whether the checkpointer did.
        var path = new SqliteConnectionStringBuilder(host.Get<DatabaseEngine>().ConnectionString).DataSource;
        await using var keepOpen = new SqliteConnection($"Data Source={path};Pooling=False");
        await keepOpen.OpenAsync();
        var writer = host.Get<DatabaseWriter>();
        await writer.WriteAsync((c, ct) => c.Database.ExecuteSqlRawAsync("CREATE TABLE filler (x BLOB)", ct));
        // About 2,500 pages of 4 KB in 50 commits: by default SQLite would have checkpointed in the commit that passed 1,000.
        for (var i = 0; i < 50; i++)
        {
            await writer.WriteAsync((c, ct) => c.Database.ExecuteSqlRawAsync("INSERT INTO filler VALUES (zeroblob(200000))", ct));
        }
        Assert.True(new FileInfo(path + "-wal").Length > 8_000_000, "the log holds every page written: no commit checkpointed");

        var checkpointer = host.Get<SqliteCheckpointer>();
        // The first round's outcome, as it ends (stopping runs another round, which would find the log already copied).
        var round = new TaskCompletionSource<(int LogPages, int CheckpointedPages)?>(TaskCreationOptions.RunContinuationsAsynchronously);
        checkpointer.Checkpointed += () => round.TrySetResult(checkpointer.Last);
        await checkpointer.StartAsync(CancellationToken.None);
        Assert.Null(checkpointer.Last); // nothing before its first round
        clock.Advance(SqliteCheckpointer.Interval);
        var first = await round.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await checkpointer.StopAsync(CancellationToken.None);

        var (logPages, checkpointed) = first!.Value;
        Assert.True(logPages > 2_000, $"{logPages} pages in the log");
        Assert.Equal(logPages, checkpointed); // no reader held it back: all of it is in the database file now
        await using var context = await host.DbAsync();
        Assert.Equal(50, await context.Database.SqlQueryRaw<int>("SELECT count(*) AS Value FROM filler").SingleAsync());
    }
}

/// <summary>The per-connection settings hold on every connection a context gets, the pooled ones handed out again
/// included (they are sent once per connection, not on every open).</summary>
public sealed class SqlitePragmasTests
{
    [Fact]
    public async Task Every_open_connection_commits_without_fsync_and_leaves_checkpoints_to_the_checkpointer()
    {
        await using var host = await CoreHost.StartAsync();
        var handles = new HashSet<object>();
        for (var i = 0; i < 5; i++)
        {
            // Two contexts at once, then both back to the pool: a new connection and reused ones.
            await using var first = await host.DbAsync();
            await using var second = await host.DbAsync();
            await first.Database.OpenConnectionAsync();
            await second.Database.OpenConnectionAsync();
            foreach (var context in new[] { first, second })
            {
                handles.Add(((SqliteConnection)context.Database.GetDbConnection()).Handle!);
                Assert.Equal(1, await Pragma(context, "synchronous")); // NORMAL
                Assert.Equal(0, await Pragma(context, "wal_autocheckpoint"));
            }
            await first.Database.CloseConnectionAsync();
            await second.Database.CloseConnectionAsync();
        }
        Assert.InRange(handles.Count, 2, 9); // connections were reused, and each still had its settings
    }

    private static async Task<long> Pragma(AppDbContext context, string name)
    {
        await using var command = context.Database.GetDbConnection().CreateCommand();
        command.CommandText = "PRAGMA " + name;
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
