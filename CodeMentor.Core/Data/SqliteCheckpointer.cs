using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CodeMentor.Core.Data;

/// <summary>
/// Moves SQLite's write-ahead log into the database file in the background. By default SQLite does this inside whichever
/// commit makes the log pass 1,000 pages, and that commit then waits for the copy and a disk sync: with every chat turn
/// written by the one <see cref="DatabaseWriter"/>, about one turn in a hundred waited ~15 ms for it (the load benchmark's
/// p99). Connections now never checkpoint on commit (<see cref="SqlitePragmas"/>); this service does, on its own
/// connection, every <see cref="Interval"/> (with nothing in the log, a round costs one pragma). A passive checkpoint runs beside readers and the
/// writer and never blocks them; what a reader still needs is copied on a later round.
/// </summary>
internal sealed partial class SqliteCheckpointer(DatabaseEngine engine, TimeProvider time, ILogger<SqliteCheckpointer> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>The last round: pages in the log, and how many of them are now in the database file.</summary>
    public (int LogPages, int CheckpointedPages)? Last { get; private set; }

    /// <summary>Raised after each round (tests wait on it instead of sleeping).</summary>
    public event Action? Checkpointed;

    private PeriodicTimer? _timer;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Made here, not in ExecuteAsync (which runs later, on the thread pool): the rounds count from the start.
        _timer = new PeriodicTimer(Interval, time);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = _timer!;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await CheckpointAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await CheckpointAsync(cancellationToken); // what the last turns wrote, before the process ends
    }

    private async Task CheckpointAsync(CancellationToken ct)
    {
        try
        {
            await using var connection = new SqliteConnection(engine.ConnectionString);
            await connection.OpenAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                Last = (reader.GetInt32(1), reader.GetInt32(2)); // busy, log pages, checkpointed pages
            }
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException)
        {
            LogFailed(logger, ex); // the next round tries again; the log only grows meanwhile
        }
        Checkpointed?.Invoke();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Moving SQLite's write-ahead log into the database file failed")]
    private static partial void LogFailed(ILogger logger, Exception ex);
}
