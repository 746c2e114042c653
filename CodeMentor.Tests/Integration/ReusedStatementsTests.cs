using CodeMentor.Core.Data;
using CodeMentor.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace CodeMentor.Tests.Integration;

/// <summary>On SQLite the database writer keeps a prepared statement compiled between runs (ReusedStatements): each run
/// still binds its own values, a run that fails leaves the statement usable, and a connection dropped after a failed
/// batch takes its statements with it.</summary>
public sealed class ReusedStatementsTests : IAsyncLifetime
{
    private CoreHost _host = default!;

    public async Task InitializeAsync()
    {
        _host = await CoreHost.StartAsync(database: DatabaseProvider.Sqlite);
        await Writer.WriteAsync((c, ct) => c.Database.ExecuteSqlRawAsync("CREATE TABLE probe (name TEXT PRIMARY KEY, size INTEGER NULL)", ct));
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private DatabaseWriter Writer => _host.Get<DatabaseWriter>();

    private static readonly PerModel<PreparedStatement> InsertProbe = new(context => PreparedStatement.Build(context,
        [context.GetService<IRelationalTypeMappingSource>().FindMapping(typeof(string))!, context.GetService<IRelationalTypeMappingSource>().FindMapping(typeof(int))!],
        (quote, values) => $"INSERT INTO probe (name, size) VALUES ({values[0]}, {values[1]})"));

    private static Func<AppDbContext, CancellationToken, Task> Insert(string name, int? size) =>
        (c, ct) => InsertProbe.For(c).ExecuteAsync(c, [name, size], ct);

    private async Task<List<string>> RowsAsync()
    {
        await using var context = await _host.DbAsync();
        return [.. (await context.Database.SqlQueryRaw<string>("SELECT name || '=' || coalesce(size, 'null') AS \"Value\" FROM probe").ToListAsync()).Order()];
    }

    [Fact]
    public async Task A_statement_run_in_many_batches_is_compiled_once_and_stores_each_runs_values()
    {
        for (var i = 0; i < 30; i++)
        {
            await Writer.WriteAsync(Insert($"n{i:00}", i % 3 == 0 ? null : i));
        }

        Assert.Equal(1, Writer.KeptStatementCount);
        // Every run, the first with EF Core's new parameters included, went straight to SQLite.
        Assert.Equal(30, Writer.DirectStatementRuns);
        Assert.Equal([.. Enumerable.Range(0, 30).Select(i => $"n{i:00}=" + (i % 3 == 0 ? "null" : i.ToString()))], await RowsAsync());
    }

    [Fact]
    public async Task A_kept_statement_that_fails_in_a_batch_runs_again_in_that_batch_and_the_next()
    {
        await Writer.WriteAsync(Insert("a", 1));
        // The first write holds the writer, so the next three queue and are applied together as one batch.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = Writer.WriteAsync(async (c, ct) =>
        {
            entered.SetResult();
            await gate.Task;
        });
        await entered.Task;
        var duplicate = Writer.WriteAsync(Insert("a", 2)); // refused: a duplicate key, in the kept statement itself
        var after = Writer.WriteAsync(Insert("b", 3));
        gate.SetResult();

        await Task.WhenAll(holding, after);
        await Assert.ThrowsAnyAsync<Exception>(() => duplicate);
        await Writer.WriteAsync(Insert("c", 4));
        Assert.Equal(["a=1", "b=3", "c=4"], await RowsAsync());
        Assert.Equal(1, Writer.KeptStatementCount);
    }

    [Fact]
    public async Task After_a_failed_batch_drops_the_connection_the_statement_is_compiled_again_on_the_next()
    {
        await Writer.WriteAsync(Insert("a", 1));
        Assert.Equal(1, Writer.KeptStatementCount);

        // A write alone that fails fails its batch: the writer drops its kept connection and, with it, the statements.
        await Assert.ThrowsAnyAsync<Exception>(() => Writer.WriteAsync(Insert("a", 2)));
        Assert.Equal(0, Writer.KeptStatementCount);

        await Writer.WriteAsync(Insert("b", 3));
        Assert.Equal(1, Writer.KeptStatementCount);
        Assert.Equal(["a=1", "b=3"], await RowsAsync());
    }

    [Fact]
    public async Task Outside_the_writer_a_prepared_statement_runs_as_before()
    {
        await using (var context = await _host.DbAsync())
        {
            await Insert("outside", 7)(context, CancellationToken.None);
            await Insert("again", null)(context, CancellationToken.None);
        }
        Assert.Equal(["again=null", "outside=7"], await RowsAsync());
        Assert.Equal(0, Writer.KeptStatementCount);
    }
}
