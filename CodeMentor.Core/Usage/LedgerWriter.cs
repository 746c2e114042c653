using System.Threading.Channels;
using CodeMentor.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CodeMentor.Core.Usage;

/// <summary>
/// Writes ledger rows in the background, in batches, so recording usage never slows a stream.
/// On shutdown it drains the queue, so no row is lost.
/// </summary>
public sealed partial class LedgerWriter(IDbContextFactory<AppDbContext> db, ILogger<LedgerWriter> logger) : IHostedService
{
    // Not a BackgroundService: its loop could be cancelled before it starts if the host stops at
    // once, and then queued rows would be lost. This loop runs until the queue is completed.
    private Task? _loop;

    private const int MaxBatch = 500;
    private readonly Channel<object> _queue = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Raised after a batch is saved (the admin dashboard listens to update live).</summary>
    public event Action<IReadOnlyList<LedgerEntry>>? Written;

    public void Enqueue(LedgerEntry entry)
    {
        if (!_queue.Writer.TryWrite(entry))
        {
            LogDropped(logger, entry.UserId, entry.Outcome);
        }
    }

    /// <summary>Completes when every row enqueued before the call is saved.</summary>
    public Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _queue.Writer.TryWrite(done) ? done.Task : Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop ??= Task.Run(ProcessAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task ProcessAsync()
    {
        // Reads until the queue is completed in StopAsync: the rows still queued at shutdown are written.
        var reader = _queue.Reader;
        var batch = new List<LedgerEntry>(MaxBatch);
        var flushes = new List<TaskCompletionSource>();
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var item))
            {
                if (item is LedgerEntry entry)
                {
                    batch.Add(entry);
                }
                else if (item is TaskCompletionSource flush)
                {
                    flushes.Add(flush);
                    break;
                }
            }
            await SaveAsync(batch);
            batch.Clear();
            flushes.ForEach(f => f.TrySetResult());
            flushes.Clear();
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (_loop is { } loop)
        {
            await loop.WaitAsync(cancellationToken);
        }
    }

    private async Task SaveAsync(List<LedgerEntry> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }
        try
        {
            await using var context = await db.CreateDbContextAsync();
            await using var transaction = await context.Database.BeginTransactionAsync();
            context.Ledger.AddRange(batch);
            await context.SaveChangesAsync();
            await UsageRollups.ApplyAsync(context, batch);
            await transaction.CommitAsync();
            Written?.Invoke(batch.ToList());
        }
        catch (Exception ex)
        {
            LogWriteFailed(logger, ex, batch.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write {Count} ledger rows")]
    private static partial void LogWriteFailed(ILogger logger, Exception ex, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ledger row for {UserId} ({Outcome}) dropped: the writer is stopped")]
    private static partial void LogDropped(ILogger logger, string userId, string outcome);
}
