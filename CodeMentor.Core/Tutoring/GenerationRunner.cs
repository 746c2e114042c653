using System.Collections.Concurrent;
using CodeMentor.Core.Data;
using CodeMentor.Core.Llm;
using CodeMentor.Core.Tokens;
using CodeMentor.Core.Usage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CodeMentor.Core.Tutoring;

/// <summary>Runs replies in the background, independent of any browser circuit, and saves them:
/// complete, stopped (with the text so far) or failed (with the text so far and the reason).</summary>
public sealed partial class GenerationRunner(
    IChatClient pipeline, IDbContextFactory<AppDbContext> db, TokenCounter tokens, TimeProvider time, ILogger<GenerationRunner> logger) : IHostedService
{
    /// <summary>How often partial text is written to the database, so a crash loses little.</summary>
    public static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<long, GenerationRun> _runs = new();

    public GenerationRun? Find(long messageId) => _runs.GetValueOrDefault(messageId);

    public GenerationRun? FindActiveInConversation(Guid conversationId) =>
        _runs.Values.FirstOrDefault(r => r.ConversationId == conversationId);

    public GenerationRun Start(string userId, Guid conversationId, long messageId, IReadOnlyList<ChatMessage> prompt, ChatOptions options)
    {
        var run = new GenerationRun(userId, conversationId, messageId);
        _runs[messageId] = run;
        _ = Task.Run(() => ExecuteAsync(run, prompt, options));
        return run;
    }

    private async Task ExecuteAsync(GenerationRun run, IReadOnlyList<ChatMessage> prompt, ChatOptions requestOptions)
    {
        var (options, trace) = requestOptions.EnsureTrace();
        var status = MessageStatus.Complete;
        string? detail = null;
        UsageDetails? usage = null;
        string? model = null;
        var lastCheckpoint = time.GetTimestamp();
        try
        {
            await foreach (var update in pipeline.GetStreamingResponseAsync(prompt, options, run.Token))
            {
                model = update.ModelId ?? model;
                string? text = null, reasoning = null;
                foreach (var content in update.Contents)
                {
                    switch (content)
                    {
                        case TextContent t: text += t.Text; break;
                        case TextReasoningContent r: reasoning += r.Text; break;
                        case UsageContent u: usage = Sum(usage, u.Details); break;
                    }
                }
                if (text is not null || reasoning is not null)
                {
                    run.Append(text, reasoning);
                }
                if (time.GetElapsedTime(lastCheckpoint) >= CheckpointInterval)
                {
                    lastCheckpoint = time.GetTimestamp();
                    await CheckpointAsync(run);
                }
            }
        }
        catch (OperationCanceledException) when (run.StopRequested)
        {
            status = MessageStatus.Stopped;
            detail = "Stopped by you.";
        }
        catch (OperationCanceledException)
        {
            status = MessageStatus.Failed;
            detail = "The server shut down during the reply. The text so far was kept; use Regenerate to try again.";
        }
        catch (LlmException ex)
        {
            status = MessageStatus.Failed;
            detail = ex.Message;
        }
        catch (Exception ex)
        {
            LogUnexpected(logger, ex, run.MessageId);
            status = MessageStatus.Failed;
            detail = "The reply failed unexpectedly. The text so far was kept; use Regenerate to try again.";
        }

        try
        {
            await SaveWithRetriesAsync(run, status, detail, usage, model, trace);
        }
        finally
        {
            _runs.TryRemove(run.MessageId, out _);
            run.Finish(status, detail);
        }
    }

    /// <summary>The final save must not be lost to a momentarily busy database: a reply left
    /// "streaming" would stay so until the next restart.</summary>
    private async Task SaveWithRetriesAsync(GenerationRun run, MessageStatus status, string? detail, UsageDetails? usage, string? model, LlmCallTrace trace)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await SaveFinalAsync(run, status, detail, usage, model, trace);
                return;
            }
            catch (Exception ex) when (attempt < 3)
            {
                LogSaveRetry(logger, ex, run.MessageId, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), time);
            }
            catch (Exception ex)
            {
                LogSaveFailed(logger, ex, run.MessageId);
                return;
            }
        }
    }

    private async Task CheckpointAsync(GenerationRun run)
    {
        var snapshot = run.Snapshot();
        await using var context = await db.CreateDbContextAsync();
        await context.Messages.Where(m => m.Id == run.MessageId && m.Status == MessageStatus.Streaming)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Content, snapshot.Text).SetProperty(m => m.Reasoning, snapshot.Reasoning));
    }

    private async Task SaveFinalAsync(GenerationRun run, MessageStatus status, string? detail, UsageDetails? usage, string? model, LlmCallTrace trace)
    {
        var snapshot = run.Snapshot();
        await using var context = await db.CreateDbContextAsync();
        var message = await context.Messages.SingleOrDefaultAsync(m => m.Id == run.MessageId);
        if (message is null)
        {
            return; // the conversation was deleted while the reply was running
        }
        message.Content = snapshot.Text;
        message.Reasoning = snapshot.Reasoning.Length > 0 ? snapshot.Reasoning : null;
        message.Status = status;
        message.StatusDetail = detail;
        // Record who actually answered (after routing and failover), and what it cost.
        message.Provider = trace.Provider ?? message.Provider;
        message.Model = trace.Model ?? model ?? message.Model;
        message.FromCache = trace.CacheHit;
        var billed = trace.CacheHit ? trace.Usage : usage;
        message.InputTokens = (int?)billed?.InputTokenCount;
        message.OutputTokens = (int?)billed?.OutputTokenCount;
        message.ReasoningTokens = (int?)billed?.ReasoningTokenCount;
        message.CostPico = trace.CostUsd is { } cost ? (long)decimal.Round(cost * LedgerEntry.PicoPerUsd) : null;
        message.ContentTokens = tokens.CountText(snapshot.Text);
        await context.Conversations.Where(c => c.Id == run.ConversationId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.UpdatedAtUtc, time.GetUtcNow().UtcDateTime));
        await context.SaveChangesAsync();
    }

    private static UsageDetails Sum(UsageDetails? total, UsageDetails next)
    {
        if (total is null)
        {
            return next;
        }
        total.Add(next);
        return total;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>On shutdown, end every run and wait for it to save its text.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var runs = _runs.Values.ToList();
        foreach (var run in runs)
        {
            run.Abort();
        }
        await Task.WhenAll(runs.Select(r => r.Completion)).WaitAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Reply {MessageId} failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, Exception ex, long messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Saving reply {MessageId} failed (attempt {Attempt}); retrying")]
    private static partial void LogSaveRetry(ILogger logger, Exception ex, long messageId, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not save reply {MessageId}")]
    private static partial void LogSaveFailed(ILogger logger, Exception ex, long messageId);
}
