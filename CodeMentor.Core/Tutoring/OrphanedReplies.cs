using CodeMentor.Core.Data;
using CodeMentor.Core.SharedState;
using CodeMentor.Core.Usage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CodeMentor.Core.Tutoring;

/// <summary>
/// Replies and model calls left half done by a process that ended without finishing them (a hard
/// kill, a lost machine): each streaming reply is marked failed with its text so far, and each call
/// still in flight becomes a ledger row marked interrupted and estimated, so nothing typed or spent
/// goes unrecorded. One node sweeps everything at its own start; with several nodes, a surviving
/// node sweeps what a node whose heartbeat stopped left behind (<see cref="DeadNodeSweeper"/>).
/// </summary>
public sealed partial class OrphanedReplies(IDbContextFactory<AppDbContext> db, PricingTable pricing, ILogger<OrphanedReplies> logger)
{
    public const string InterruptedDetail = "The server restarted during this reply.";
    public const string NodeLostDetail = "The server running this reply stopped during it.";

    /// <summary>At a lone node's start: everything still streaming or in flight is an orphan.</summary>
    public Task SweepAllAsync(CancellationToken ct) => SweepAsync(_ => Task.FromResult(true), InterruptedDetail, ct);

    /// <summary>What the nodes that <paramref name="isAlive"/> says are gone left behind (rows without a
    /// node come from before nodes were named).</summary>
    public Task SweepDeadAsync(Func<string, Task<bool>> isAlive, CancellationToken ct) =>
        SweepAsync(async node => node is null || !await isAlive(node), NodeLostDetail, ct);

    private async Task SweepAsync(Func<string?, Task<bool>> isDead, string detail, CancellationToken ct)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var nodes = await context.Messages.Where(m => m.Status == MessageStatus.Streaming).Select(m => m.Node)
            .Union(context.InFlightCalls.Select(c => c.Node)).Distinct().ToListAsync(ct);
        var dead = new List<string?>();
        foreach (var node in nodes)
        {
            if (await isDead(node))
            {
                dead.Add(node);
            }
        }
        if (dead.Count == 0)
        {
            return;
        }
        var named = dead.OfType<string>().ToList();
        var unnamed = dead.Contains(null);
        var streaming = context.Messages.Where(m => m.Status == MessageStatus.Streaming && ((unnamed && m.Node == null) || named.Contains(m.Node!)));
        // Idempotent: two nodes sweeping the same dead node mark each reply once.
        var kept = await streaming.Where(m => m.Content != "").ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Failed)
            .SetProperty(m => m.StatusDetail, detail + " The text so far was kept; use Regenerate to try again."), ct);
        var empty = await streaming.ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Failed)
            .SetProperty(m => m.StatusDetail, detail + " Nothing was received; use Regenerate to try again."), ct);
        if (kept + empty > 0)
        {
            LogRecovered(logger, kept + empty);
        }
        var calls = await context.InFlightCalls.AsNoTracking().Where(c => (unnamed && c.Node == null) || named.Contains(c.Node!)).ToListAsync(ct);
        await RecordInterruptedCallsAsync(context, calls, ct);
    }

    private async Task RecordInterruptedCallsAsync(AppDbContext context, List<InFlightCall> calls, CancellationToken ct)
    {
        if (calls.Count == 0)
        {
            return;
        }
        await using var transaction = await context.Database.BeginTransactionAsync(ct);
        var rows = new List<LedgerEntry>();
        foreach (var call in calls)
        {
            // Whoever deletes the in-flight row records it: another node sweeping at the same moment deletes nothing.
            if (await context.InFlightCalls.Where(c => c.Id == call.Id).ExecuteDeleteAsync(ct) == 0)
            {
                continue;
            }
            var usage = new Microsoft.Extensions.AI.UsageDetails { InputTokenCount = call.PromptTokens, OutputTokenCount = call.OutputTokensSoFar };
            rows.Add(new LedgerEntry
            {
                TimestampUtc = call.LastProgressUtc, UserId = call.UserId, ConversationId = call.ConversationId, Feature = call.Feature,
                Provider = call.Provider, Model = call.Model, InputTokens = call.PromptTokens, OutputTokens = call.OutputTokensSoFar,
                CostUsd = pricing.Cost(call.Model, usage), LatencyMs = (int)Math.Min(int.MaxValue, (call.LastProgressUtc - call.StartedAtUtc).TotalMilliseconds),
                Outcome = LedgerOutcomes.Interrupted, FailureCategory = "process-ended", Estimated = true,
            });
        }
        context.Ledger.AddRange(rows);
        await context.SaveChangesAsync(ct);
        await UsageRollups.ApplyAsync(context, rows, ct);
        await transaction.CommitAsync(ct);
        if (rows.Count > 0)
        {
            LogInterruptedCalls(logger, rows.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Marked {Count} interrupted replies as failed")]
    private static partial void LogRecovered(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recorded {Count} model calls cut off by the end of the process running them (estimated usage)")]
    private static partial void LogInterruptedCalls(ILogger logger, int count);
}

/// <summary>With several nodes: every few seconds, sweeps what nodes whose heartbeat has stopped left
/// half done, so a learner whose node died sees their partial reply marked within seconds and can
/// Regenerate, instead of a reply "writing" forever until that node starts again.</summary>
public sealed partial class DeadNodeSweeper(OrphanedReplies orphans, RedisNodeRegistry nodes, TimeProvider time, ILogger<DeadNodeSweeper> logger)
    : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(3);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await orphans.SweepDeadAsync(nodes.IsAliveAsync, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Redis or the database not answering: nobody is declared dead on a guess; try next time.
                LogSweepFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not look for replies left by stopped nodes")]
    private static partial void LogSweepFailed(ILogger logger, Exception ex);
}
