using CodeMentor.Core.Tutoring;
using CodeMentor.Core.Usage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CodeMentor.Core.Data;

/// <summary>Creates or upgrades the database by migrations at startup (with the engine's own steps
/// around them, see <see cref="DatabaseEngine"/>), and cleans up after a process that ended abruptly: replies it left
/// "streaming" are marked failed with their checkpointed text, and the model calls it left in flight
/// are written to the ledger, marked interrupted and estimated.</summary>
public sealed partial class DatabaseInitializer(IDbContextFactory<AppDbContext> db, PricingTable pricing, ILogger<DatabaseInitializer> logger) : IHostedService
{
    public const string InterruptedDetail = "The server restarted during this reply.";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var engine = DatabaseEngine.Of(context);
        try
        {
            await engine.BeforeMigrateAsync(context, cancellationToken);
            await context.Database.MigrateAsync(cancellationToken);
            await engine.AfterMigrateAsync(context, cancellationToken);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or IOException or UnauthorizedAccessException
            || ex.InnerException is System.Data.Common.DbException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new DatabaseUnavailableException(
                $"{engine.Describe()} could not be opened or upgraded: {(ex.InnerException ?? ex).Message}", ex);
        }

        var kept = await context.Messages.Where(m => m.Status == MessageStatus.Streaming && m.Content != "")
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Failed)
                .SetProperty(m => m.StatusDetail, InterruptedDetail + " The text so far was kept; use Regenerate to try again."), cancellationToken);
        var empty = await context.Messages.Where(m => m.Status == MessageStatus.Streaming)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Failed)
                .SetProperty(m => m.StatusDetail, InterruptedDetail + " Nothing was received; use Regenerate to try again."), cancellationToken);
        if (kept + empty > 0)
        {
            LogRecovered(logger, kept + empty);
        }
        await RecordInterruptedCallsAsync(context, cancellationToken);
    }

    private async Task RecordInterruptedCallsAsync(AppDbContext context, CancellationToken ct)
    {
        var calls = await context.InFlightCalls.ToListAsync(ct);
        if (calls.Count == 0)
        {
            return;
        }
        var rows = calls.Select(call =>
        {
            var usage = new Microsoft.Extensions.AI.UsageDetails { InputTokenCount = call.PromptTokens, OutputTokenCount = call.OutputTokensSoFar };
            return new LedgerEntry
            {
                TimestampUtc = call.LastProgressUtc, UserId = call.UserId, ConversationId = call.ConversationId, Feature = call.Feature,
                Provider = call.Provider, Model = call.Model, InputTokens = call.PromptTokens, OutputTokens = call.OutputTokensSoFar,
                CostUsd = pricing.Cost(call.Model, usage), LatencyMs = (int)Math.Min(int.MaxValue, (call.LastProgressUtc - call.StartedAtUtc).TotalMilliseconds),
                Outcome = LedgerOutcomes.Interrupted, FailureCategory = "process-ended", Estimated = true,
            };
        }).ToList();
        await using var transaction = await context.Database.BeginTransactionAsync(ct);
        context.Ledger.AddRange(rows);
        context.InFlightCalls.RemoveRange(calls);
        await context.SaveChangesAsync(ct);
        await UsageRollups.ApplyAsync(context, rows, ct);
        await transaction.CommitAsync(ct);
        LogInterruptedCalls(logger, rows.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Marked {Count} interrupted replies as failed")]
    private static partial void LogRecovered(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recorded {Count} model calls cut off by the previous process's end (estimated usage)")]
    private static partial void LogInterruptedCalls(ILogger logger, int count);
}

/// <summary>The database could not be reached or upgraded at start; the message names the database
/// (never its password) and the cause, for the person starting CodeMentor.</summary>
public sealed class DatabaseUnavailableException(string message, Exception inner) : Exception(message, inner);
