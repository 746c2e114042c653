using CodeMentor.Core.Data;
using CodeMentor.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace CodeMentor.Tests.Integration;

/// <summary>The one writer batches writes into one transaction, and a write that fails is undone and reported to its own
/// caller without taking the rest of its batch with it, on both engines.</summary>
public abstract class DatabaseWriterTests(DatabaseProvider database) : IAsyncLifetime
{
    private CoreHost _host = default!;

    public async Task InitializeAsync()
    {
        _host = await CoreHost.StartAsync(database: database);
        await Writer.WriteAsync((c, ct) => c.Database.ExecuteSqlRawAsync("CREATE TABLE probe (name TEXT PRIMARY KEY)", ct));
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private DatabaseWriter Writer => _host.Get<DatabaseWriter>();

    private static Func<AppDbContext, CancellationToken, Task> Insert(string name) =>
        (c, ct) => c.Database.ExecuteSqlRawAsync("INSERT INTO probe (name) VALUES ({0})", [name], ct);

    private async Task<List<string>> NamesAsync()
    {
        await using var context = await _host.DbAsync();
        return [.. (await context.Database.SqlQueryRaw<string>("SELECT name AS \"Value\" FROM probe").ToListAsync()).Order()];
    }

    [Fact]
    public async Task A_failing_write_in_a_batch_is_undone_alone_and_the_others_commit()
    {
        // The first write holds the writer, so the next four queue and are applied together as one batch.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = Writer.WriteAsync(async (c, ct) =>
        {
            entered.SetResult();
            await gate.Task;
            await Insert("first")(c, ct);
        });
        await entered.Task;
        var second = Writer.WriteAsync(Insert("second"));
        var failing = Writer.WriteAsync(async (c, ct) =>
        {
            await Insert("half-done")(c, ct);
            throw new InvalidOperationException("the write's own error");
        });
        var duplicate = Writer.WriteAsync(Insert("second")); // the database refuses it: a duplicate key
        var last = Writer.WriteAsync(Insert("last"));
        gate.SetResult();

        await Task.WhenAll(first, second, last);
        Assert.Equal("the write's own error", (await Assert.ThrowsAsync<InvalidOperationException>(() => failing)).Message);
        await Assert.ThrowsAnyAsync<Exception>(() => duplicate);
        Assert.Equal(["first", "last", "second"], await NamesAsync()); // nothing of the failed writes is left
    }

    [Fact]
    public async Task A_write_alone_that_fails_leaves_nothing_of_itself()
    {
        var failing = Writer.WriteAsync(async (c, ct) =>
        {
            await Insert("a")(c, ct);
            await Insert("a")(c, ct); // fails after its first statement succeeded
        });

        await Assert.ThrowsAnyAsync<Exception>(() => failing);
        await Writer.WriteAsync(Insert("b"));
        Assert.Equal(["b"], await NamesAsync());
    }

    [Fact]
    public async Task After_a_failed_write_and_after_a_batch_no_transaction_is_left_holding_the_database()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => Writer.WriteAsync(async (c, ct) =>
        {
            await Insert("x")(c, ct);
            await Insert("x")(c, ct);
        }));
        await OutsideWriterAsync("outside-1");

        await Writer.WriteAsync(Insert("y"));
        await OutsideWriterAsync("outside-2");

        Assert.Equal(["outside-1", "outside-2", "y"], await NamesAsync());
    }

    /// <summary>A write on another connection, which waits at most a second for the database's write lock: it fails if
    /// the writer left a transaction open (on SQLite, on a connection back in the pool).</summary>
    private async Task OutsideWriterAsync(string name)
    {
        await using var context = await _host.DbAsync();
        context.Database.SetCommandTimeout(1);
        await context.Database.ExecuteSqlRawAsync("INSERT INTO probe (name) VALUES ({0})", name);
    }

    public sealed class OnSqlite() : DatabaseWriterTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : DatabaseWriterTests(DatabaseProvider.Postgres);
}
