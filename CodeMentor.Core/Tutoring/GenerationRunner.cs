using System.Collections.Concurrent;
using CodeMentor.Core.Data;
using CodeMentor.Core.Llm;
using CodeMentor.Core.Tokens;
using CodeMentor.Core.Usage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CodeMentor.Core.Tutoring;

/// <summary>Runs replies in the background, independent of any browser circuit, and saves them:
/// complete, stopped (with the text so far and who stopped it) or failed (with the text so far and
/// what happened). Partial text is checkpointed every LLM_CHECKPOINT_SECONDS through the single
/// database writer.</summary>
public sealed partial class GenerationRunner(
    IChatClient pipeline, DatabaseWriter writer, TokenCounter tokens, TimeProvider time, IOptions<LlmOptions> options,
    SharedState.NodeIdentity node, IRunFanOut fanOut, ILogger<GenerationRunner> logger) : IHostedService
{
    /// <summary>This node's name, written on the replies it runs.</summary>
    public string NodeId => node.Id;

    public const string ShutdownDetail = "The server shut down during the reply.";

    private readonly ConcurrentDictionary<long, GenerationRun> _runs = new();
    private readonly ConcurrentDictionary<Guid, GenerationRun> _byConversation = new();

    private TimeSpan CheckpointInterval => TimeSpan.FromSeconds(options.Value.CheckpointSeconds);

    public GenerationRun? Find(long messageId) => _runs.GetValueOrDefault(messageId);

    /// <summary>The user's reply running on another node, followed from here (<see cref="IRunFanOut"/>).</summary>
    public GenerationRun? Follow(string userId, long messageId) => fanOut.Follow(userId, messageId);

    public GenerationRun? FindActiveInConversation(Guid conversationId) => _byConversation.GetValueOrDefault(conversationId);

    /// <summary>All runs in progress (the soak test and shutdown look at them).</summary>
    public IReadOnlyCollection<GenerationRun> Active => _runs.Values.ToList();

    public GenerationRun Start(string userId, Guid conversationId, long messageId, IReadOnlyList<ChatMessage> prompt, ChatOptions options)
    {
        var run = new GenerationRun(userId, conversationId, messageId);
        _runs[messageId] = run;
        _byConversation[conversationId] = run;
        fanOut.Publish(run);
        _ = Task.Run(() => ExecuteAsync(run, prompt, options));
        return run;
    }

    private async Task ExecuteAsync(GenerationRun run, IReadOnlyList<ChatMessage> prompt, ChatOptions requestOptions)
    {
        var status = MessageStatus.Complete;
        string? detail = null;
        string? model = null;
        string? sources = null;
        LlmCallResult? result = null;
        var lastCheckpoint = time.GetTimestamp();
        var checkpointed = 0;
        try
        {
            await foreach (var update in pipeline.GetStreamingResponseAsync(prompt, requestOptions, run.Token))
            {
                result = update.GetCallResult() ?? result;
                model = update.ModelId ?? model;
                string? text = null, reasoning = null;
                foreach (var content in update.Contents.AsSpanOrList())
                {
                    switch (content)
                    {
                        case TextContent t: text += t.Text; break;
                        case TextReasoningContent r: reasoning += r.Text; break;
                        case Courses.Material.CourseSourcesContent s: sources = s.ToJson(); break;
                    }
                }
                if (text is not null || reasoning is not null)
                {
                    run.Append(text, reasoning);
                }
                if (time.GetElapsedTime(lastCheckpoint) >= CheckpointInterval && run.TextLength > checkpointed)
                {
                    lastCheckpoint = time.GetTimestamp();
                    checkpointed = run.TextLength;
                    Checkpoint(run); // queued, not awaited: the stream never waits for the database
                }
            }
        }
        catch (OperationCanceledException) when (run.StopRequested)
        {
            status = MessageStatus.Stopped;
            detail = run.StopReason;
        }
        catch (OperationCanceledException)
        {
            status = MessageStatus.Failed;
            detail = ShutdownDetail;
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
            detail = "The reply failed unexpectedly.";
        }

        var snapshot = run.Snapshot();
        if (status == MessageStatus.Failed)
        {
            // Say what was kept, and what to do, as it really is.
            detail += snapshot.Text.Length > 0 ? " The text so far was kept; use Regenerate to try again." : " Nothing was received; use Regenerate to try again.";
        }
        try
        {
            await SaveWithRetriesAsync(run, snapshot, status, detail, model, sources, result);
        }
        finally
        {
            _runs.TryRemove(run.MessageId, out _);
            _byConversation.TryRemove(new KeyValuePair<Guid, GenerationRun>(run.ConversationId, run));
            run.Finish(status, detail, result?.CostUsd, result?.Overhead, snapshot);
        }
    }

    /// <summary>The final save must not be lost to a momentarily failing database: a reply left
    /// "streaming" would stay so until the next restart.</summary>
    private async Task SaveWithRetriesAsync(GenerationRun run, GenerationSnapshot snapshot, MessageStatus status, string? detail,
        string? model, string? sources, LlmCallResult? result)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await writer.WriteAsync((context, ct) => SaveFinalAsync(context, run, snapshot, status, detail, model, sources, result, ct));
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

    private void Checkpoint(GenerationRun run)
    {
        var snapshot = run.Snapshot();
        _ = writer.WriteAsync((context, ct) => CheckpointReply.For(context)
                .ExecuteAsync(context, [snapshot.Text, snapshot.Reasoning, run.MessageId, MessageStatus.Streaming], ct))
            .ContinueWith(t => LogCheckpointFailed(logger, t.Exception!, run.MessageId), TaskContinuationOptions.OnlyOnFaulted);
    }

    /// <summary>One UPDATE of the reply and one of the conversation's time: no entity is loaded.</summary>
    private async Task SaveFinalAsync(AppDbContext context, GenerationRun run, GenerationSnapshot snapshot, MessageStatus status, string? detail,
        string? model, string? sources, LlmCallResult? result, CancellationToken ct)
    {
        // As the provider reported it (for a cache hit, what the original reply used), read off the
        // stream by the ledger stage; never an estimate.
        var billed = result?.Usage;
        var reasoning = snapshot.Reasoning.Length > 0 ? snapshot.Reasoning : null;
        var answeredModel = result?.Model ?? model;
        var cost = Money.ToPico(result?.CostUsd);
        var cacheHit = result?.CacheHit ?? false;
        var contentTokens = tokens.CountText(snapshot.Text);
        var (input, output, reasoningTokens) = ((int?)billed?.InputTokenCount, (int?)billed?.OutputTokenCount, (int?)billed?.ReasoningTokenCount);
        var provider = result?.Provider;
        // A reply whose conversation was deleted meanwhile updates nothing. Who actually answered (after routing and
        // failover) is kept as started when the call never reached a provider.
        await FinishReply.For(context).ExecuteAsync(context,
            [snapshot.Text, reasoning, status, detail, provider, answeredModel, cacheHit, sources, input, output, reasoningTokens, cost, contentTokens, run.MessageId], ct);
        await ConversationStore.TouchConversation.For(context).ExecuteAsync(context, [time.GetUtcNow().UtcDateTime, run.ConversationId], ct);
    }

    // Prepared once per model: a turn pays only for its values (see PreparedStatement).
    private static readonly PerModel<PreparedStatement> CheckpointReply = new(context => PreparedStatement.Update<ConversationMessage>(context,
        set: [nameof(ConversationMessage.Content), nameof(ConversationMessage.Reasoning)],
        where: [nameof(ConversationMessage.Id), nameof(ConversationMessage.Status)]));

    private static readonly PerModel<PreparedStatement> FinishReply = new(context => PreparedStatement.Update<ConversationMessage>(context,
        set:
        [
            nameof(ConversationMessage.Content), nameof(ConversationMessage.Reasoning), nameof(ConversationMessage.Status),
            nameof(ConversationMessage.StatusDetail), nameof(ConversationMessage.Provider), nameof(ConversationMessage.Model),
            nameof(ConversationMessage.FromCache), nameof(ConversationMessage.Sources), nameof(ConversationMessage.InputTokens),
            nameof(ConversationMessage.OutputTokens), nameof(ConversationMessage.ReasoningTokens), nameof(ConversationMessage.CostPico),
            nameof(ConversationMessage.ContentTokens),
        ],
        where: [nameof(ConversationMessage.Id)],
        keepWhenNull: [nameof(ConversationMessage.Provider), nameof(ConversationMessage.Model)]));

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkpoint of reply {MessageId} failed")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception ex, long messageId);
}
