using CodeMentor.Core.Llm;
using CodeMentor.Core.RateLimiting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace CodeMentor.Core.SharedState;

/// <summary>
/// Quota counters in Redis, the same for every node. The decision is one Lua script, so checking the
/// day and taking from the minute cannot interleave with another node's request. The minute is a
/// sliding log (a sorted set of request times); the day a hash that expires two days on.
/// Written here rather than with RedisRateLimiting: its limiter takes permits only, while the chat
/// also looks without taking (the preflight, the "27 of 30 left" line) and checks the day's totals
/// in the same atomic step.
/// </summary>
internal sealed partial class RedisQuotaCounters(IConnectionMultiplexer redis, TimeProvider time, ILogger<RedisQuotaCounters> logger) : IQuotaCounters
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private static readonly LuaScript Decide = LuaScript.Prepare("""
        local tokens = tonumber(redis.call('HGET', @day, 'tokens') or '0')
        local requests = tonumber(redis.call('HGET', @day, 'requests') or '0')
        local budget = tonumber(@budget)
        if budget > 0 and tokens >= budget then return {1, 0} end
        if requests >= tonumber(@dayLimit) then return {2, 0} end
        local now = tonumber(@now)
        local window = tonumber(@window)
        redis.call('ZREMRANGEBYSCORE', @minute, '-inf', now - window)
        if redis.call('ZCARD', @minute) >= tonumber(@minuteLimit) then
            local oldest = redis.call('ZRANGE', @minute, 0, 0, 'WITHSCORES')
            return {3, tonumber(oldest[2]) + window - now}
        end
        if @take == '1' then
            redis.call('ZADD', @minute, now, @member)
            redis.call('PEXPIRE', @minute, window)
            redis.call('HINCRBY', @day, 'requests', 1)
            redis.call('EXPIRE', @day, 172800)
        end
        return {0, 0}
        """);

    private static readonly LuaScript Seed = LuaScript.Prepare("""
        if redis.call('HSETNX', @day, 'requests', @requests) == 1 then
            redis.call('HSETNX', @day, 'tokens', @tokens)
            redis.call('EXPIRE', @day, 172800)
        end
        return 0
        """);

    // Counts only a budget already being counted: one that is not starts from the ledger, which has these tokens.
    private const string AddToBudgets = """
        for i = 1, #KEYS do
            if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('INCRBY', KEYS[i], ARGV[1]) end
        end
        return 0
        """;

    private IDatabase Db => redis.GetDatabase();

    private static RedisKey BudgetKey(string key) => "codementor:budget:" + key;

    private static RedisKey DayKey(string userId, DateOnly day) => $"codementor:quota:{userId}:{day:yyyyMMdd}";

    private static RedisKey MinuteKey(string userId) => $"codementor:quota:{userId}:minute";

    /// <summary>What the learner is told when Redis does not answer: no request goes through uncounted.</summary>
    public const string Unavailable = "CodeMentor cannot check your request quota right now: its shared store (Redis) does not answer. " +
        "Your message is saved; try again in a moment.";

    public async ValueTask SeedDayAsync(string userId, DateOnly day, Func<CancellationToken, Task<DayCounts>> fromLedger, CancellationToken ct)
    {
        try
        {
            await SeedAsync(userId, day, fromLedger, ct);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new LlmException(LlmFailureCategory.QuotaUnavailable, Unavailable, inner: ex);
        }
    }

    private async Task SeedAsync(string userId, DateOnly day, Func<CancellationToken, Task<DayCounts>> fromLedger, CancellationToken ct)
    {
        var key = DayKey(userId, day);
        if (await Db.KeyExistsAsync(key))
        {
            return;
        }
        // Another node may seed at the same moment: the first HSETNX wins and both read the same ledger.
        var (requests, tokens) = await fromLedger(ct);
        await Db.ScriptEvaluateAsync(Seed, new { day = key, requests, tokens });
    }

    public async ValueTask<(QuotaVerdict Verdict, TimeSpan? RetryAfter)> DecideAsync(string userId, DateOnly day, UserLimits limits, bool take, CancellationToken ct)
    {
        RedisResult[] result;
        try
        {
            result = (RedisResult[])(await Db.ScriptEvaluateAsync(Decide, new
            {
                day = DayKey(userId, day), minute = MinuteKey(userId),
                budget = limits.DailyTokenBudget ?? 0, dayLimit = limits.RequestsPerDay, minuteLimit = limits.RequestsPerMinute,
                now = time.GetUtcNow().ToUnixTimeMilliseconds(), window = (long)Window.TotalMilliseconds,
                take = take ? "1" : "0", member = Guid.NewGuid().ToString("N"),
            }))!;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new LlmException(LlmFailureCategory.QuotaUnavailable, Unavailable, inner: ex);
        }
        var verdict = (QuotaVerdict)(int)result[0];
        return (verdict, verdict == QuotaVerdict.MinuteRequestsUsed ? TimeSpan.FromMilliseconds(Math.Max(1, (long)result[1])) : null);
    }

    public async ValueTask AddTokensAsync(string userId, DateOnly day, long tokens, CancellationToken ct)
    {
        try
        {
            var key = DayKey(userId, day);
            await Db.HashIncrementAsync(key, "tokens", tokens);
            await Db.KeyExpireAsync(key, TimeSpan.FromDays(2));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The reply itself is done and saved; failing it now would lose nothing but confuse the learner.
            LogTokensNotCounted(logger, ex, tokens);
        }
    }

    public async ValueTask<(DayCounts Day, int MinuteAvailable)> ReadAsync(string userId, DateOnly day, int minuteLimit, CancellationToken ct)
    {
        try
        {
            return await ReadCountsAsync(userId, day, minuteLimit);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new LlmException(LlmFailureCategory.QuotaUnavailable, Unavailable, inner: ex);
        }
    }

    private async Task<(DayCounts Day, int MinuteAvailable)> ReadCountsAsync(string userId, DateOnly day, int minuteLimit)
    {
        var minute = MinuteKey(userId);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var batch = Db.CreateBatch();
        var counts = batch.HashGetAsync(DayKey(userId, day), ["requests", "tokens"]);
        var used = batch.SortedSetLengthAsync(minute, now - Window.TotalMilliseconds, double.PositiveInfinity, Exclude.Start);
        batch.Execute();
        var values = await counts;
        return (new DayCounts((long?)values[0] ?? 0, (long?)values[1] ?? 0), (int)Math.Max(0, minuteLimit - await used));
    }

    public async ValueTask<long> BudgetUsedAsync(string key, DateTime forgetAfterUtc, Func<CancellationToken, Task<long>> fromLedger, CancellationToken ct)
    {
        try
        {
            var redisKey = BudgetKey(key);
            if ((long?)await Db.StringGetAsync(redisKey) is { } used)
            {
                return used;
            }
            // Another node may start it at the same moment: the first SET NX wins and both read the same ledger.
            var fromRows = await fromLedger(ct);
            await Db.StringSetAsync(redisKey, fromRows, Expiry(forgetAfterUtc), When.NotExists);
            return (long?)await Db.StringGetAsync(redisKey) ?? fromRows;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new LlmException(LlmFailureCategory.QuotaUnavailable, Unavailable, inner: ex);
        }
    }

    public async ValueTask AddBudgetTokensAsync(IReadOnlyList<string> keys, long tokens, CancellationToken ct)
    {
        try
        {
            await Db.ScriptEvaluateAsync(AddToBudgets, keys.Select(BudgetKey).ToArray(), [tokens]);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogTokensNotCounted(logger, ex, tokens);
        }
    }

    private TimeSpan Expiry(DateTime forgetAfterUtc)
    {
        var left = forgetAfterUtc - time.GetUtcNow().UtcDateTime;
        return left > TimeSpan.FromMinutes(1) ? left : TimeSpan.FromMinutes(1);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis did not take {Tokens} tokens for a learner's or a course's budget")]
    private static partial void LogTokensNotCounted(ILogger logger, Exception ex, long tokens);
}
