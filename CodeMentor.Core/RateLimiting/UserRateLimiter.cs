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
/// Per-user request limits: a sliding window per minute and, per calendar day (UTC), a request count
/// and an optional token budget, counted by <see cref="IQuotaCounters"/> (this process, or Redis shared
/// by every node). The day's figures start from what the ledger recorded (<see cref="EnsureLoadedAsync"/>),
/// so a restart does not hand out a fresh day's quota. What a refusal says is decided here, once.
/// </summary>
public sealed class UserRateLimiter(IQuotaCounters counters, TimeProvider time, IUsageToday? history = null)
{
    /// <summary>Starts the user's day from the ledger, once per user and day.</summary>
    public ValueTask EnsureLoadedAsync(string userId, CancellationToken ct = default)
    {
        if (history is null)
        {
            return ValueTask.CompletedTask;
        }
        var today = Today();
        return counters.SeedDayAsync(userId, today, async token =>
        {
            var (requests, tokens) = await history.GetAsync(userId, today, token);
            return new DayCounts(requests, tokens);
        }, ct);
    }

    /// <summary>Looks without taking: would a request be allowed now?</summary>
    public ValueTask<QuotaDecision> CheckAsync(string userId, UserLimits limits, CancellationToken ct = default) => DecideAsync(userId, limits, take: false, ct);

    /// <summary>Takes one request from the user's quota, or says why not and for how long.</summary>
    public ValueTask<QuotaDecision> TryAcquireAsync(string userId, UserLimits limits, CancellationToken ct = default) => DecideAsync(userId, limits, take: true, ct);

    private async ValueTask<QuotaDecision> DecideAsync(string userId, UserLimits limits, bool take, CancellationToken ct)
    {
        var (verdict, retryAfter) = await counters.DecideAsync(userId, Today(), limits, take, ct);
        switch (verdict)
        {
            case QuotaVerdict.TokenBudgetUsed:
                return new QuotaDecision(false, UntilMidnight(),
                    $"You have used today's budget of {limits.DailyTokenBudget:N0} tokens. It renews at midnight UTC, in {Format(UntilMidnight())}; your message is saved.");
            case QuotaVerdict.DailyRequestsUsed:
                return new QuotaDecision(false, UntilMidnight(),
                    $"You have reached your limit of {Requests(limits.RequestsPerDay)} per day. It renews at midnight UTC, in {Format(UntilMidnight())}; your message is saved.");
            case QuotaVerdict.MinuteRequestsUsed:
                var wait = retryAfter ?? TimeSpan.FromSeconds(5);
                return new QuotaDecision(false, wait,
                    $"You have reached your limit of {Requests(limits.RequestsPerMinute)} per minute. Try again in {Format(wait)}; your message is saved.");
            default:
                return QuotaDecision.Allow;
        }
    }

    public async ValueTask<QuotaStatus> StatusAsync(string userId, UserLimits limits, CancellationToken ct = default)
    {
        var (day, minute) = await counters.ReadAsync(userId, Today(), limits.RequestsPerMinute, ct);
        long? tokensLeft = limits.DailyTokenBudget is > 0 and var budget ? Math.Max(0, budget - day.Tokens) : null;
        return new QuotaStatus(minute, limits.RequestsPerMinute, (int)Math.Max(0, limits.RequestsPerDay - day.Requests),
            limits.RequestsPerDay, tokensLeft, limits.DailyTokenBudget is > 0 ? limits.DailyTokenBudget : null);
    }

    /// <summary>Counts the tokens of a finished call against the user's daily budget.</summary>
    public ValueTask RecordTokensAsync(string userId, long tokens, CancellationToken ct = default) =>
        tokens > 0 ? counters.AddTokensAsync(userId, Today(), tokens, ct) : ValueTask.CompletedTask;

    public async ValueTask<long> TokensUsedTodayAsync(string userId, CancellationToken ct = default) =>
        (await counters.ReadAsync(userId, Today(), 1, ct)).Day.Tokens;

    private DateOnly Today() => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    private TimeSpan UntilMidnight()
    {
        var now = time.GetUtcNow();
        return now.Date.AddDays(1) - now.UtcDateTime;
    }

    private static string Requests(int count) => count == 1 ? "1 request" : $"{count:N0} requests";

    public static string Format(TimeSpan wait) =>
        wait.TotalSeconds < 90 ? $"{Math.Ceiling(wait.TotalSeconds):0} s"
        : wait.TotalMinutes < 90 ? $"{Math.Ceiling(wait.TotalMinutes):0} min"
        : wait.TotalHours < 48 ? $"{Math.Floor(wait.TotalHours):0} h {wait.Minutes} min"
        : $"{wait.Days} d {wait.Hours} h";
}
