using System.Threading.Channels;
using CodeMentor.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CodeMentor.Core.Usage;

/// <summary>
/// Records usage off the stream's path: a call's start (an <see cref="InFlightCall"/>), its
/// progress, and its ledger row with the daily roll-ups, in batches through the single
/// <see cref="DatabaseWriter"/>. A call that starts and ends within one batch never touches the
/// in-flight table. On shutdown it drains the queue, so no row is lost; after a hard kill the
/// in-flight rows let the next start record what the cut-off calls used.
/// </summary>
public sealed partial class LedgerWriter(DatabaseWriter writer, ILogger<LedgerWriter> logger) : IHostedService
{
    // Not a BackgroundService: its loop could be cancelled before it starts if the host stops at
    // once, and then queued rows would be lost. This loop runs until the queue is completed.
    private Task? _loop;

    private const int MaxBatch = 500;
    private readonly Channel<object> _queue = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });

    private sealed record Started(InFlightCall Call);
    private sealed record Progress(Guid CallId, int? PromptTokens, int OutputTokensSoFar, DateTime AtUtc);
    private sealed record Finished(Guid? CallId, LedgerEntry Entry);

    /// <summary>Raised after a batch is saved (the admin dashboard listens to update live).</summary>
    public event Action<IReadOnlyList<LedgerEntry>>? Written;

    /// <summary>A call has started: recorded so that a hard kill cannot make it vanish.</summary>
    public void Start(InFlightCall call) => Queue(new Started(call));

    /// <summary>What a running call has produced so far (estimated), for the record a hard kill would leave.</summary>
    public void Report(Guid callId, int? promptTokens, int outputTokensSoFar, DateTime atUtc) =>
        Queue(new Progress(callId, promptTokens, outputTokensSoFar, atUtc));

    /// <summary>The call's ledger row; the in-flight record of <paramref name="callId"/> goes with it.</summary>
    public void Enqueue(LedgerEntry entry, Guid? callId = null) => Queue(new Finished(callId, entry));

    private void Queue(object item)
    {
        if (!_queue.Writer.TryWrite(item) && item is Finished finished)
        {
            LogDropped(logger, finished.Entry.UserId, finished.Entry.Outcome);
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
        var batch = new List<object>(MaxBatch);
        var flushes = new List<TaskCompletionSource>();
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var item))
            {
                if (item is TaskCompletionSource flush)
                {
                    flushes.Add(flush);
                    break;
                }
                batch.Add(item);
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

    private async Task SaveAsync(List<object> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }
        var finished = batch.OfType<Finished>().ToList();
        var finishedIds = finished.Where(f => f.CallId is not null).Select(f => f.CallId!.Value).ToHashSet();
        // Calls that started and ended within this batch need no in-flight record at all.
        var started = batch.OfType<Started>().Where(s => !finishedIds.Contains(s.Call.Id)).ToDictionary(s => s.Call.Id, s => s.Call);
        var progress = batch.OfType<Progress>().Where(p => !finishedIds.Contains(p.CallId)).GroupBy(p => p.CallId).Select(g => g.Last()).ToList();
        var startedHere = batch.OfType<Started>().Select(s => s.Call.Id).ToHashSet();
        var rows = finished.Select(f => f.Entry).ToList();
        try
        {
            await writer.WriteAsync(async (context, ct) =>
            {
                foreach (var p in progress)
                {
                    if (started.TryGetValue(p.CallId, out var fresh))
                    {
                        Apply(fresh, p);
                    }
                    else
                    {
                        await ReportProgress.For(context).ExecuteAsync(context, [p.PromptTokens, p.OutputTokensSoFar, p.AtUtc, p.CallId], ct);
                    }
                }
                var engine = DatabaseEngine.Of(context);
                await engine.InsertAsync(context, started.Values, ct);
                var ended = finishedIds.Where(id => !startedHere.Contains(id)).ToList();
                if (engine.BatchesBetter(ended.Count))
                {
                    await context.InFlightCalls.Where(c => ended.Contains(c.Id)).ExecuteDeleteAsync(ct);
                }
                else
                {
                    foreach (var id in ended)
                    {
                        await ForgetCall.For(context).ExecuteAsync(context, [id], ct);
                    }
                }
                if (rows.Count > 0)
                {
                    await engine.InsertAsync(context, rows, ct);
                    await UsageRollups.ApplyAsync(context, rows);
                }
            });
            if (rows.Count > 0)
            {
                Written?.Invoke(rows);
            }
        }
        catch (Exception ex)
        {
            LogWriteFailed(logger, ex, rows.Count);
        }
    }

    // A call's progress (prompt tokens kept when not reported) and its end: statements prepared once (see PreparedStatement).
    private static readonly PerModel<PreparedStatement> ReportProgress = new(context => PreparedStatement.Update<InFlightCall>(context,
        set: [nameof(InFlightCall.PromptTokens), nameof(InFlightCall.OutputTokensSoFar), nameof(InFlightCall.LastProgressUtc)],
        where: [nameof(InFlightCall.Id)],
        keepWhenNull: nameof(InFlightCall.PromptTokens)));

    private static readonly PerModel<PreparedStatement> ForgetCall = new(context => PreparedStatement.Delete<InFlightCall>(context, nameof(InFlightCall.Id)));

    private static void Apply(InFlightCall call, Progress p)
    {
        call.PromptTokens = p.PromptTokens ?? call.PromptTokens;
        call.OutputTokensSoFar = p.OutputTokensSoFar;
        call.LastProgressUtc = p.AtUtc;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write {Count} ledger rows")]
    private static partial void LogWriteFailed(ILogger logger, Exception ex, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ledger row for {UserId} ({Outcome}) dropped: the writer is stopped")]
    private static partial void LogDropped(ILogger logger, string userId, string outcome);
}
