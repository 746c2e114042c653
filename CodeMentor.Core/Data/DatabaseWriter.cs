using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CodeMentor.Core.Data;

/// <summary>
/// The one writer of the busy tables: chat turns (learner message and placeholder reply together),
/// reply checkpoints and final saves, and the usage ledger. Writes queue in a channel and a single
/// loop applies them in batches, one transaction per batch, so CodeMentor never has two write
/// transactions competing for SQLite's single write lock (Microsoft.Data.Sqlite waits for a busy
/// database by sleeping 150 ms on a thread-pool thread; under load that was most of the server's
/// time). Each write runs under its own savepoint: a failing write is rolled back and reported to
/// its caller without taking the rest of the batch with it.
/// </summary>
public sealed partial class DatabaseWriter(IDbContextFactory<AppDbContext> db, ILogger<DatabaseWriter> logger) : IHostedService, IAsyncDisposable
{
    /// <summary>Most writes one transaction takes; more wait for the next batch.</summary>
    public const int MaxBatch = 256;

    private sealed record Write(Func<AppDbContext, CancellationToken, Task> Work, TaskCompletionSource Done);

    private readonly Channel<Write> _queue = Channel.CreateUnbounded<Write>(new UnboundedChannelOptions { SingleReader = true });
    private Task? _loop;

    /// <summary>Queues a write; completes when it is committed (or fails with the write's own error).</summary>
    public Task WriteAsync(Func<AppDbContext, CancellationToken, Task> work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Write(work, done)))
        {
            done.SetException(new InvalidOperationException("The database writer has stopped; the server is shutting down."));
        }
        EnsureStarted();
        return done.Task;
    }

    /// <summary>Queues a write and returns what it produced once committed.</summary>
    public async Task<T> WriteAsync<T>(Func<AppDbContext, CancellationToken, Task<T>> work)
    {
        T result = default!;
        Func<AppDbContext, CancellationToken, Task> write = async (context, ct) => result = await work(context, ct);
        await WriteAsync(write);
        return result;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        EnsureStarted();
        return Task.CompletedTask;
    }

    private void EnsureStarted()
    {
        if (_loop is null)
        {
            lock (_queue)
            {
                _loop ??= Task.Run(ProcessAsync, CancellationToken.None);
            }
        }
    }

    private async Task ProcessAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<Write>(MaxBatch);
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var write))
            {
                batch.Add(write);
            }
            await ApplyAsync(batch);
            batch.Clear();
        }
    }

    // On SQLite the writer keeps one context, its connection open, from batch to batch. Opening a pooled SQLite
    // connection is not free: EF Core registers its SQL functions with SQLite again on every open (about a dozen
    // allocations each), and a chat turn is several batches. Its prepared statements stay compiled between runs
    // (ReusedStatements). Dropped after a batch fails, so a broken connection is not used again. PostgreSQL keeps taking
    // a connection from its pool per batch (a server restart breaks them).
    private AppDbContext? _kept;
    private ReusedStatements? _keptStatements;

    /// <summary>Statements kept compiled on the kept connection (what tests check).</summary>
    internal int KeptStatementCount => _keptStatements?.Count ?? 0;

    /// <summary>Runs of the kept statements that went straight to SQLite (what tests check).</summary>
    internal int DirectStatementRuns => _keptStatements?.DirectRuns ?? 0;

    private async Task<AppDbContext> ContextAsync()
    {
        if (_kept is { } kept)
        {
            return kept;
        }
        var context = await db.CreateDbContextAsync();
        if (DatabaseEngine.Of(context) is SqliteEngine)
        {
            try
            {
                await context.Database.OpenConnectionAsync();
            }
            catch
            {
                await context.DisposeAsync();
                throw;
            }
            _keptStatements = ReusedStatements.Register(context);
            _kept = context;
        }
        return context;
    }

    private async Task ApplyAsync(List<Write> batch)
    {
        var outcomes = new Exception?[batch.Count];
        AppDbContext? context = null;
        try
        {
            context = await ContextAsync();
            await using var transaction = await WriterTransaction.BeginAsync(context, _keptStatements);
            // A single write needs no savepoint: if it fails, the whole transaction is its own.
            var savepoints = batch.Count > 1;
            for (var i = 0; i < batch.Count; i++)
            {
                if (savepoints)
                {
                    await transaction.SavepointAsync();
                }
                try
                {
                    await batch[i].Work(context, CancellationToken.None);
                    await context.SaveChangesAsync();
                }
                catch (Exception ex) when (savepoints)
                {
                    outcomes[i] = ex;
                    context.ChangeTracker.Clear();
                    await transaction.RollbackToSavepointAsync();
                }
                context.ChangeTracker.Clear();
            }
            await transaction.CommitAsync();
        }
        catch (Exception ex)
        {
            LogBatchFailed(logger, ex, batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                outcomes[i] ??= ex;
            }
            _ = ForgetKept();
        }
        finally
        {
            if (context is not null && !ReferenceEquals(context, _kept))
            {
                await context.DisposeAsync();
            }
        }
        for (var i = 0; i < batch.Count; i++)
        {
            if (outcomes[i] is { } error)
            {
                batch[i].Done.TrySetException(error);
            }
            else
            {
                batch[i].Done.TrySetResult();
            }
        }
    }

    /// <summary>Writes everything queued so far, then stops taking writes.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (_loop is { } loop)
        {
            await loop.WaitAsync(cancellationToken);
        }
        // Stopping can be asked twice at once (the host's stop and the container's dispose): one of them disposes.
        if (ForgetKept() is { } kept)
        {
            await kept.DisposeAsync();
        }
    }

    /// <summary>The kept context is no longer used: its statements are finalized before it (and its connection) goes.
    /// Returns the context to whichever caller took it, once.</summary>
    private AppDbContext? ForgetKept()
    {
        var kept = Interlocked.Exchange(ref _kept, null);
        if (kept is not null)
        {
            Interlocked.Exchange(ref _keptStatements, null)?.Dispose();
        }
        return kept;
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    [LoggerMessage(Level = LogLevel.Error, Message = "A batch of {Count} database writes failed")]
    private static partial void LogBatchFailed(ILogger logger, Exception ex, int count);
}
