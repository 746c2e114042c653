using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace CodeMentor.Core.RateLimiting;

/// <summary>What a quota check decided.</summary>
public sealed record QuotaDecision(bool Allowed, TimeSpan? RetryAfter, string? Message)
{
    public static readonly QuotaDecision Allow = new(true, null, null);
}

/// <summary>What is left of a user's quota, for the "27 of 30 this minute" line.</summary>
public sealed record QuotaStatus(int MinuteRemaining, int MinuteLimit, int DayRemaining, int DayLimit, long? TokensRemaining, int? TokenBudget);

/// <summary>
/// Per-user request limits on System.Threading.RateLimiting, partitioned by user: a sliding window
/// per minute and a fixed window per day, plus an optional daily token budget. A partition is keyed
/// by the user and their limits, so an admin's change applies from that user's next request.
/// </summary>
public sealed class UserRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<(string User, int Limit)> _perMinute;
    private readonly PartitionedRateLimiter<(string User, int Limit)> _perDay;
    private readonly ConcurrentDictionary<string, (DateOnly Day, long Tokens)> _tokensToday = new();
    private readonly TimeProvider _time;

    public UserRateLimiter(TimeProvider time)
    {
        _time = time;
        _perMinute = PartitionedRateLimiter.Create<(string User, int Limit), (string User, int Limit)>(key =>
            RateLimitPartition.GetSlidingWindowLimiter(key, k => new SlidingWindowRateLimiterOptions
            {
                PermitLimit = k.Limit,
                Window = TimeSpan.FromMinutes(1),
                SegmentsPerWindow = 12,
                QueueLimit = 0,
            }));
        _perDay = PartitionedRateLimiter.Create<(string User, int Limit), (string User, int Limit)>(key =>
            RateLimitPartition.GetFixedWindowLimiter(key, k => new FixedWindowRateLimiterOptions
            {
                PermitLimit = k.Limit,
                Window = TimeSpan.FromDays(1),
                QueueLimit = 0,
            }));
    }

    /// <summary>Looks without taking: would a request be allowed now?</summary>
    public QuotaDecision Check(string userId, UserLimits limits) => Decide(userId, limits, permits: 0);

    /// <summary>Takes one request from the user's quota, or says why not and for how long.</summary>
    public QuotaDecision TryAcquire(string userId, UserLimits limits) => Decide(userId, limits, permits: 1);

    private QuotaDecision Decide(string userId, UserLimits limits, int permits)
    {
        if (limits.DailyTokenBudget is > 0 and var budget && TokensUsedToday(userId) >= budget)
        {
            return new QuotaDecision(false, UntilMidnight(),
                $"You have used today's budget of {budget:N0} tokens. It renews at midnight UTC, in {Format(UntilMidnight())}; your message is saved.");
        }
        // Check both windows before taking from either, so a refusal costs nothing.
        using (var dayProbe = _perDay.AttemptAcquire((userId, limits.RequestsPerDay), 0))
        {
            if (!dayProbe.IsAcquired)
            {
                var wait = RetryAfter(dayProbe) ?? UntilMidnight();
                return new QuotaDecision(false, wait,
                    $"You have reached your limit of {Requests(limits.RequestsPerDay)} per day. Try again in {Format(wait)}; your message is saved.");
            }
        }
        var minute = _perMinute.AttemptAcquire((userId, limits.RequestsPerMinute), permits);
        if (!minute.IsAcquired)
        {
            var wait = RetryAfter(minute) ?? TimeSpan.FromSeconds(5);
            minute.Dispose();
            return new QuotaDecision(false, wait,
                $"You have reached your limit of {Requests(limits.RequestsPerMinute)} per minute. Try again in {Format(wait)}; your message is saved.");
        }
        minute.Dispose();
        if (permits > 0)
        {
            _perDay.AttemptAcquire((userId, limits.RequestsPerDay), permits).Dispose();
        }
        return QuotaDecision.Allow;
    }

    public QuotaStatus Status(string userId, UserLimits limits)
    {
        var minute = _perMinute.GetStatistics((userId, limits.RequestsPerMinute))?.CurrentAvailablePermits ?? limits.RequestsPerMinute;
        var day = _perDay.GetStatistics((userId, limits.RequestsPerDay))?.CurrentAvailablePermits ?? limits.RequestsPerDay;
        long? tokensLeft = limits.DailyTokenBudget is > 0 and var budget ? Math.Max(0, budget - TokensUsedToday(userId)) : null;
        return new QuotaStatus((int)minute, limits.RequestsPerMinute, (int)day, limits.RequestsPerDay, tokensLeft,
            limits.DailyTokenBudget is > 0 ? limits.DailyTokenBudget : null);
    }

    /// <summary>Counts the tokens of a finished call against the user's daily budget.</summary>
    public void RecordTokens(string userId, long tokens)
    {
        if (tokens <= 0)
        {
            return;
        }
        var today = Today();
        _tokensToday.AddOrUpdate(userId, (today, tokens), (_, current) => current.Day == today ? (today, current.Tokens + tokens) : (today, tokens));
    }

    public long TokensUsedToday(string userId) =>
        _tokensToday.TryGetValue(userId, out var used) && used.Day == Today() ? used.Tokens : 0;

    private DateOnly Today() => DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);

    private TimeSpan UntilMidnight()
    {
        var now = _time.GetUtcNow();
        return now.Date.AddDays(1) - now.UtcDateTime;
    }

    private static TimeSpan? RetryAfter(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : null;

    private static string Requests(int count) => count == 1 ? "1 request" : $"{count:N0} requests";

    public static string Format(TimeSpan wait) =>
        wait.TotalSeconds < 90 ? $"{Math.Ceiling(wait.TotalSeconds):0} s"
        : wait.TotalMinutes < 90 ? $"{Math.Ceiling(wait.TotalMinutes):0} min"
        : $"{Math.Floor(wait.TotalHours):0} h {wait.Minutes} min";

    public void Dispose()
    {
        _perMinute.Dispose();
        _perDay.Dispose();
    }
}
