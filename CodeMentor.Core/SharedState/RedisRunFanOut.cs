using System.Collections.Concurrent;
using CodeMentor.Core.Data;
using CodeMentor.Core.Tutoring;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace CodeMentor.Core.SharedState;

/// <summary>
/// A reply's growth as a Redis stream (<c>codementor:run:{message}</c>): the running node appends the
/// first words at once and then what is new at most every 50 ms (text, reasoning, status) and pokes the other nodes on one channel; a
/// following node reads the stream from its start, so it misses nothing whenever it joins, and feeds
/// a local <see cref="GenerationRun"/> that pages read exactly as they read a local one. Stop on a
/// followed run is sent to the running node on a second channel. Streams expire ten minutes after
/// the reply ends; a reply whose node died ends when the dead node's sweep marks it in the database.
/// </summary>
internal sealed partial class RedisRunFanOut(IConnectionMultiplexer redis, IServiceProvider services, IDbContextFactory<AppDbContext> db,
    ILogger<RedisRunFanOut> logger) : IRunFanOut, IHostedService
{
    private static readonly RedisChannel Grown = RedisChannel.Literal("codementor:runs");
    private static readonly RedisChannel Stops = RedisChannel.Literal("codementor:run-stops");
    private static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan KeepAfterEnd = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<long, (GenerationRun Run, SemaphoreSlim Poke)> _followed = new();

    private static RedisKey Key(long messageId) => "codementor:run:" + messageId;

    public void Publish(GenerationRun run)
    {
        try
        {
            // Whose reply it is, written before the send returns (one round trip, well under a millisecond
            // here): any node asked for the reply afterwards finds it, however soon.
            redis.GetDatabase().StreamAdd(Key(run.MessageId), [new("user", run.UserId), new("conversation", run.ConversationId.ToString())]);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogNotPublished(logger, ex, run.MessageId);
            return;
        }
        _ = Task.Run(() => PumpAsync(run));
    }

    private async Task PumpAsync(GenerationRun run)
    {
        var changed = new SemaphoreSlim(1); // a first look at once: a short reply may be done already
        run.Changed += () =>
        {
            if (changed.CurrentCount == 0)
            {
                changed.Release();
            }
        };
        var database = redis.GetDatabase();
        var key = Key(run.MessageId);
        try
        {
            int text = 0, reasoning = 0;
            while (true)
            {
                await changed.WaitAsync(TimeSpan.FromSeconds(5));
                if (text > 0 || reasoning > 0)
                {
                    await Task.Delay(Coalesce); // the first words go at once; after them, what arrives within 50 ms goes together
                }
                var delta = run.ReadFrom(text, reasoning);
                (text, reasoning) = (delta.TextLength, delta.ReasoningLength);
                var ended = delta.Status != MessageStatus.Streaming;
                if (!delta.IsEmpty || ended)
                {
                    await database.StreamAddAsync(key, [new("text", delta.Text), new("reasoning", delta.Reasoning),
                        new("status", delta.Status.ToString()), new("detail", delta.StatusDetail ?? "")]);
                    await redis.GetSubscriber().PublishAsync(Grown, run.MessageId);
                }
                if (ended)
                {
                    await database.KeyExpireAsync(key, KeepAfterEnd);
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogNotPublished(logger, ex, run.MessageId); // followers see the saved reply when it ends
        }
    }

    public GenerationRun? Follow(string userId, long messageId)
    {
        if (_followed.TryGetValue(messageId, out var followed))
        {
            return followed.Run.UserId == userId ? followed.Run : null;
        }
        StreamEntry[] head;
        try
        {
            head = redis.GetDatabase().StreamRange(Key(messageId), "-", "+", count: 1);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return null;
        }
        if (head.Length == 0 || head[0]["user"] != userId || !Guid.TryParse((string?)head[0]["conversation"], out var conversationId))
        {
            return null; // nobody's reply, or someone else's: never followed for another user
        }
        var run = new GenerationRun(userId, conversationId, messageId);
        var poke = new SemaphoreSlim(0);
        if (!_followed.TryAdd(messageId, (run, poke)))
        {
            return Follow(userId, messageId);
        }
        run.Token.Register(() => _ = SendStopAsync(messageId, run.StopReason));
        _ = Task.Run(() => FollowAsync(run, poke));
        return run;
    }

    private async Task FollowAsync(GenerationRun run, SemaphoreSlim poke)
    {
        var key = Key(run.MessageId);
        RedisValue last = "-";
        var quiet = 0;
        try
        {
            while (true)
            {
                var entries = await redis.GetDatabase().StreamRangeAsync(key, last == "-" ? "-" : "(" + last, "+");
                foreach (var entry in entries)
                {
                    last = entry.Id;
                    if (entry["status"].IsNull)
                    {
                        continue; // the head: whose reply it is
                    }
                    run.Append(entry["text"], entry["reasoning"]);
                    var status = Enum.Parse<MessageStatus>(entry["status"]!);
                    if (status != MessageStatus.Streaming)
                    {
                        run.Finish(status, entry["detail"].IsNullOrEmpty ? null : entry["detail"].ToString());
                        return;
                    }
                }
                quiet = entries.Length > 0 ? 0 : quiet + 1;
                // Nothing for a while: the running node may have died; its sweep ends the reply in the database.
                if (quiet >= 5 && await SavedEndAsync(run) is { } saved)
                {
                    run.Append(saved.Content.Length > run.TextLength ? saved.Content[run.TextLength..] : "", null);
                    run.Finish(saved.Status, saved.StatusDetail);
                    return;
                }
                await poke.WaitAsync(TimeSpan.FromSeconds(1));
            }
        }
        catch (Exception ex)
        {
            // Whatever broke (Redis, the database, an entry this version cannot read), the followed reply must
            // end visibly rather than show "writing" forever.
            LogFollowFailed(logger, ex, run.MessageId);
            run.Finish(MessageStatus.Failed, "This reply could not be followed from here; reload the page to see it.");
        }
        finally
        {
            _followed.TryRemove(run.MessageId, out _);
        }
    }

    private async Task<ConversationMessage?> SavedEndAsync(GenerationRun run)
    {
        await using var context = await db.CreateDbContextAsync();
        var message = await context.Messages.AsNoTracking().SingleOrDefaultAsync(m => m.Id == run.MessageId);
        return message is { Status: not MessageStatus.Streaming } ? message : null;
    }

    private async Task SendStopAsync(long messageId, string? reason)
    {
        try
        {
            await redis.GetSubscriber().PublishAsync(Stops, $"{messageId}|{reason ?? GenerationRun.StoppedByLearner}");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogFollowFailed(logger, ex, messageId);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var subscriber = redis.GetSubscriber();
        await subscriber.SubscribeAsync(Grown, (_, message) =>
        {
            if (message.TryParse(out long id) && _followed.TryGetValue(id, out var followed) && followed.Poke.CurrentCount == 0)
            {
                followed.Poke.Release();
            }
        });
        await subscriber.SubscribeAsync(Stops, (_, message) =>
        {
            var parts = ((string)message!).Split('|', 2);
            if (parts.Length == 2 && long.TryParse(parts[0], out var id)
                && services.GetRequiredService<GenerationRunner>().Find(id) is { } run)
            {
                run.Stop(parts[1]);
            }
        });
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await redis.GetSubscriber().UnsubscribeAsync(Grown);
        await redis.GetSubscriber().UnsubscribeAsync(Stops);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reply {MessageId} could not be published to the other nodes")]
    private static partial void LogNotPublished(ILogger logger, Exception ex, long messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reply {MessageId} could not be followed from this node")]
    private static partial void LogFollowFailed(ILogger logger, Exception ex, long messageId);
}
