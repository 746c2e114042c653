using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace CodeMentor.Core.RateLimiting;

/// <summary>Quota counters of one node: System.Threading.RateLimiting's sliding window per user and
/// limit (an admin's change applies from the next request), day totals in a dictionary.</summary>
internal sealed class InProcessQuotaCounters(TimeProvider time) : IQuotaCounters, IDisposable
{
    private sealed class Day(DateOnly date, long requests, long tokens)
    {
        public DateOnly Date { get; } = date;
        public long Requests = requests;
        public long Tokens = tokens;
    }

    private readonly PartitionedRateLimiter<(string User, int Limit)> _perMinute =
        PartitionedRateLimiter.Create<(string User, int Limit), (string User, int Limit)>(key =>
            RateLimitPartition.GetSlidingWindowLimiter(key, k => new SlidingWindowRateLimiterOptions
            {
                PermitLimit = k.Limit,
                Window = TimeSpan.FromMinutes(1),
                SegmentsPerWindow = 12,
                QueueLimit = 0,
            }));
    private readonly ConcurrentDictionary<string, Day> _days = new();
    // Decisions of one user are serialised so "check the day, then take from the minute" is one step.
    private readonly ConcurrentDictionary<string, object> _locks = new();

    private sealed class Budget(long used, DateTime forgetAfterUtc)
    {
        public long Used = used;
        public DateTime ForgetAfterUtc { get; } = forgetAfterUtc;
    }

    private readonly ConcurrentDictionary<string, Budget> _budgets = new();

    public async ValueTask SeedDayAsync(string userId, DateOnly day, Func<CancellationToken, Task<DayCounts>> fromLedger, CancellationToken ct)
    {
        if (_days.TryGetValue(userId, out var known) && known.Date == day)
        {
            return;
        }
        var (requests, tokens) = await fromLedger(ct);
        _days.AddOrUpdate(userId, new Day(day, requests, tokens), (_, current) => current.Date == day ? current : new Day(day, requests, tokens));
    }

    public ValueTask<(QuotaVerdict Verdict, TimeSpan? RetryAfter)> DecideAsync(string userId, DateOnly day, UserLimits limits, bool take, CancellationToken ct)
    {
        lock (_locks.GetOrAdd(userId, _ => new object()))
        {
            var counts = DayOf(userId, day);
            if (limits.DailyTokenBudget is > 0 and var budget && Volatile.Read(ref counts.Tokens) >= budget)
            {
                return new((QuotaVerdict.TokenBudgetUsed, null));
            }
            if (Volatile.Read(ref counts.Requests) >= limits.RequestsPerDay)
            {
                return new((QuotaVerdict.DailyRequestsUsed, null));
            }
            using var minute = _perMinute.AttemptAcquire((userId, limits.RequestsPerMinute), take ? 1 : 0);
            if (!minute.IsAcquired)
            {
                return new((QuotaVerdict.MinuteRequestsUsed, minute.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : null));
            }
            if (take)
            {
                Interlocked.Increment(ref counts.Requests);
            }
            return new((QuotaVerdict.Allowed, null));
        }
    }

    public ValueTask AddTokensAsync(string userId, DateOnly day, long tokens, CancellationToken ct)
    {
        Interlocked.Add(ref DayOf(userId, day).Tokens, tokens);
        return ValueTask.CompletedTask;
    }

    public ValueTask<(DayCounts Day, int MinuteAvailable)> ReadAsync(string userId, DateOnly day, int minuteLimit, CancellationToken ct)
    {
        var counts = DayOf(userId, day);
        var minute = _perMinute.GetStatistics((userId, minuteLimit))?.CurrentAvailablePermits ?? minuteLimit;
        return new((new DayCounts(Volatile.Read(ref counts.Requests), Volatile.Read(ref counts.Tokens)), (int)minute));
    }

    public async ValueTask<long> BudgetUsedAsync(string key, DateTime forgetAfterUtc, Func<CancellationToken, Task<long>> fromLedger, CancellationToken ct)
    {
        if (!_budgets.TryGetValue(key, out var budget))
        {
            ForgetEndedBudgets();
            // Two first calls may both read the ledger; whichever arrives first is kept (both read the same figures).
            budget = _budgets.GetOrAdd(key, new Budget(await fromLedger(ct), forgetAfterUtc));
        }
        return Volatile.Read(ref budget.Used);
    }

    public ValueTask AddBudgetTokensAsync(IReadOnlyList<string> keys, long tokens, CancellationToken ct)
    {
        foreach (var key in keys)
        {
            if (_budgets.TryGetValue(key, out var budget))
            {
                Interlocked.Add(ref budget.Used, tokens);
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Budgets of ended periods are never read again (their keys name the period).</summary>
    private void ForgetEndedBudgets()
    {
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var (key, budget) in _budgets)
        {
            if (budget.ForgetAfterUtc < now)
            {
                _budgets.TryRemove(key, out _);
            }
        }
    }

    /// <summary>The user's counters for <paramref name="day"/>; a new day starts from zero.</summary>
    private Day DayOf(string userId, DateOnly day) =>
        _days.AddOrUpdate(userId, _ => new Day(day, 0, 0), (_, current) => current.Date == day ? current : new Day(day, 0, 0));

    public void Dispose() => _perMinute.Dispose();
}
