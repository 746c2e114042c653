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

/// <summary>What a user has used today according to the ledger (requests that took a permit, tokens of answered calls).</summary>
public interface IUsageToday
{
    Task<(int Requests, long Tokens)> GetAsync(string userId, DateOnly day, CancellationToken ct);
}

/// <summary>
/// Per-user request limits: a sliding window per minute (System.Threading.RateLimiting, partitioned by
/// user and limit, so an admin's change applies from the next request) and, per calendar day (UTC), a
/// request count and an optional token budget. The day's figures start from what the ledger recorded
/// (<see cref="EnsureLoadedAsync"/>), so a restart does not hand out a fresh day's quota.
/// </summary>
public sealed class UserRateLimiter : IDisposable
{
    private sealed class Day(DateOnly date, int requests, long tokens)
    {
        public DateOnly Date { get; } = date;
        public int Requests = requests;
        public long Tokens = tokens;
    }

    private readonly PartitionedRateLimiter<(string User, int Limit)> _perMinute;
    private readonly ConcurrentDictionary<string, Day> _today = new();
    private readonly TimeProvider _time;
    private readonly IUsageToday? _history;

    public UserRateLimiter(TimeProvider time, IUsageToday? history = null)
    {
        _time = time;
        _history = history;
        _perMinute = PartitionedRateLimiter.Create<(string User, int Limit), (string User, int Limit)>(key =>
            RateLimitPartition.GetSlidingWindowLimiter(key, k => new SlidingWindowRateLimiterOptions
            {
                PermitLimit = k.Limit,
                Window = TimeSpan.FromMinutes(1),
                SegmentsPerWindow = 12,
                QueueLimit = 0,
            }));
    }

    /// <summary>Reads the user's usage so far today from the ledger, once per user and day.</summary>
    public async ValueTask EnsureLoadedAsync(string userId, CancellationToken ct = default)
    {
        var today = Today();
        if (_history is null || (_today.TryGetValue(userId, out var known) && known.Date == today))
        {
            return;
        }
        var (requests, tokens) = await _history.GetAsync(userId, today, ct);
        _today.AddOrUpdate(userId, new Day(today, requests, tokens), (_, current) => current.Date == today ? current : new Day(today, requests, tokens));
    }

    /// <summary>Looks without taking: would a request be allowed now?</summary>
    public QuotaDecision Check(string userId, UserLimits limits) => Decide(userId, limits, permits: 0);

    /// <summary>Takes one request from the user's quota, or says why not and for how long.</summary>
    public QuotaDecision TryAcquire(string userId, UserLimits limits) => Decide(userId, limits, permits: 1);

    private QuotaDecision Decide(string userId, UserLimits limits, int permits)
    {
        var day = DayOf(userId);
        if (limits.DailyTokenBudget is > 0 and var budget && Volatile.Read(ref day.Tokens) >= budget)
        {
            return new QuotaDecision(false, UntilMidnight(),
                $"You have used today's budget of {budget:N0} tokens. It renews at midnight UTC, in {Format(UntilMidnight())}; your message is saved.");
        }
        // Check the day before taking from the minute, so a refusal costs nothing.
        if (Volatile.Read(ref day.Requests) >= limits.RequestsPerDay)
        {
            var wait = UntilMidnight();
            return new QuotaDecision(false, wait,
                $"You have reached your limit of {Requests(limits.RequestsPerDay)} per day. It renews at midnight UTC, in {Format(wait)}; your message is saved.");
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
            Interlocked.Add(ref day.Requests, permits);
        }
        return QuotaDecision.Allow;
    }

    public QuotaStatus Status(string userId, UserLimits limits)
    {
        var minute = _perMinute.GetStatistics((userId, limits.RequestsPerMinute))?.CurrentAvailablePermits ?? limits.RequestsPerMinute;
        var day = DayOf(userId);
        long? tokensLeft = limits.DailyTokenBudget is > 0 and var budget ? Math.Max(0, budget - Volatile.Read(ref day.Tokens)) : null;
        return new QuotaStatus((int)minute, limits.RequestsPerMinute, Math.Max(0, limits.RequestsPerDay - Volatile.Read(ref day.Requests)),
            limits.RequestsPerDay, tokensLeft, limits.DailyTokenBudget is > 0 ? limits.DailyTokenBudget : null);
    }

    /// <summary>Counts the tokens of a finished call against the user's daily budget.</summary>
    public void RecordTokens(string userId, long tokens)
    {
        if (tokens > 0)
        {
            Interlocked.Add(ref DayOf(userId).Tokens, tokens);
        }
    }

    public long TokensUsedToday(string userId) => Volatile.Read(ref DayOf(userId).Tokens);

    /// <summary>Today's counters for the user; a new day starts from zero.</summary>
    private Day DayOf(string userId)
    {
        var today = Today();
        return _today.AddOrUpdate(userId, _ => new Day(today, 0, 0), (_, current) => current.Date == today ? current : new Day(today, 0, 0));
    }

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

    public void Dispose() => _perMinute.Dispose();
}
