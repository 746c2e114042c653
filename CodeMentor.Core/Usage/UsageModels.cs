namespace CodeMentor.Core.Usage;

/// <summary>A dashboard period: whole UTC days, both ends included.</summary>
public sealed record UsagePeriod(DateOnly From, DateOnly To)
{
    public static UsagePeriod Today(TimeProvider time) => LastDays(time, 1);

    public static UsagePeriod LastDays(TimeProvider time, int days)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        return new UsagePeriod(today.AddDays(1 - days), today);
    }

    public DateTime StartUtc => From.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
    public DateTime EndUtcExclusive => To.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
    public int Days => To.DayNumber - From.DayNumber + 1;

    public IEnumerable<DateOnly> EachDay()
    {
        for (var day = From; day <= To; day = day.AddDays(1))
        {
            yield return day;
        }
    }
}

public sealed record UsageSummary(
    long Requests,
    int ActiveUsers,
    long InputTokens,
    long OutputTokens,
    long ReasoningTokens,
    long CachedInputTokens,
    decimal CostUsd,
    long UnpricedRequests,
    long CacheHits,
    double CacheHitRate,
    decimal SavedUsd,
    long Failed,
    double ErrorRate,
    IReadOnlyDictionary<string, long> ErrorsByCategory,
    long RateLimitRefusals,
    long Stopped,
    int? LatencyP50Ms,
    int? LatencyP95Ms,
    int? TimeToFirstTokenP50Ms,
    int? TimeToFirstTokenP95Ms);

public sealed record DailyModelCost(DateOnly Day, string Model, decimal CostUsd);

public sealed record DailyTokens(DateOnly Day, long Input, long Output, long Reasoning);

public sealed record DailyTotals(DateOnly Day, long Requests, long Failed, long RateLimited, decimal CostUsd);

/// <summary>One row of the per-user, per-model or per-feature tables.</summary>
public sealed record UsageBreakdown(
    string Key,
    string Label,
    long Requests,
    long InputTokens,
    long OutputTokens,
    decimal CostUsd,
    long Refusals,
    long Failed,
    long CacheHits,
    double AverageLatencyMs,
    DateTime LastAtUtc);

public sealed record LatencyBin(string Label, long Count);

/// <summary>What the ledger explorer shows and the CSV export writes: exactly the same filter.</summary>
/// <summary>The keys a ledger row and a daily roll-up share: what the explorer filters by.</summary>
internal interface ILedgerKeys
{
    string UserId { get; }
    string Feature { get; }
    string Model { get; }
    string Outcome { get; }
}

public sealed record LedgerFilter(
    UsagePeriod Period,
    string? UserId = null,
    string? Feature = null,
    string? Model = null,
    string? Outcome = null,
    LedgerSort Sort = LedgerSort.Newest);

public enum LedgerSort
{
    Newest,
    Oldest,
    CostDescending,
    LatencyDescending,
    TokensDescending,
}

public sealed record LedgerPage(IReadOnlyList<LedgerEntry> Rows, long Total);

public sealed record FeatureModelTotals(string Feature, string Model, long InputTokens, long CachedInputTokens, long OutputTokens, decimal CostUsd);

/// <summary>Replies of one feature in a period, and how many the solution-leak guard replaced.</summary>
public sealed record GuardFirings(string Feature, int Replies, int Replaced)
{
    public double Rate => Replies == 0 ? 0 : (double)Replaced / Replies;
}
