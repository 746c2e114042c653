namespace CodeMentor.Core.RateLimiting;

/// <summary>What stopped a request, if anything (the order the checks run in).</summary>
public enum QuotaVerdict
{
    Allowed,
    TokenBudgetUsed,
    DailyRequestsUsed,
    MinuteRequestsUsed,
}

/// <summary>A user's counters for one day: requests that took a permit, tokens of answered calls.</summary>
public readonly record struct DayCounts(long Requests, long Tokens);

/// <summary>
/// The counters behind per-user quotas: a sliding one-minute window of requests, and per-day
/// request and token totals. One implementation keeps them in this process (one node); the other
/// in Redis, so every node counts against the same numbers (a learner cannot get N× the limit
/// from N nodes). What the counts mean for the learner is <see cref="UserRateLimiter"/>'s.
/// </summary>
public interface IQuotaCounters
{
    /// <summary>Starts a user's day from <paramref name="fromLedger"/> unless the day is already being counted.</summary>
    ValueTask SeedDayAsync(string userId, DateOnly day, Func<CancellationToken, Task<DayCounts>> fromLedger, CancellationToken ct);

    /// <summary>In one atomic step: checks the day's budget and requests, then the minute window, and
    /// when <paramref name="take"/> and all allow it, counts one request in both.</summary>
    /// <returns>The verdict, and for <see cref="QuotaVerdict.MinuteRequestsUsed"/> when a permit frees up.</returns>
    ValueTask<(QuotaVerdict Verdict, TimeSpan? RetryAfter)> DecideAsync(string userId, DateOnly day, UserLimits limits, bool take, CancellationToken ct);

    ValueTask AddTokensAsync(string userId, DateOnly day, long tokens, CancellationToken ct);

    /// <summary>The day's totals and the permits left in the minute window.</summary>
    ValueTask<(DayCounts Day, int MinuteAvailable)> ReadAsync(string userId, DateOnly day, int minuteLimit, CancellationToken ct);

    /// <summary>Tokens counted so far against a budget of one period (a course's, or a learner's in a course),
    /// <paramref name="key"/> naming the budget and its period. A budget not yet counted starts from
    /// <paramref name="fromLedger"/>; its count is kept until <paramref name="forgetAfterUtc"/>.</summary>
    ValueTask<long> BudgetUsedAsync(string key, DateTime forgetAfterUtc, Func<CancellationToken, Task<long>> fromLedger, CancellationToken ct);

    /// <summary>Counts tokens against budgets being counted; one not counted yet will start from the ledger, which has them.</summary>
    ValueTask AddBudgetTokensAsync(IReadOnlyList<string> keys, long tokens, CancellationToken ct);
}
