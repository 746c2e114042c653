using System.Globalization;
using CodeMentor.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CodeMentor.Core.Usage;

/// <summary>
/// The admin dashboard's queries. Figures and charts read the daily roll-ups (LedgerDayTotals over all
/// users, LedgerDaily where the user matters, LatencyDaily), so they stay fast with millions of ledger
/// rows; the ledger explorer and the CSV export read the raw rows through the (timestamp) index.
/// </summary>
public sealed class UsageQueries(IDbContextFactory<AppDbContext> db)
{
    /// <summary>Non-person callers (seeded or background work) are not counted as active users.</summary>
    public const string SystemUser = "system";

    private static IQueryable<T> In<T>(DbSet<T> rollup, UsagePeriod period) where T : LedgerTotals =>
        rollup.AsNoTracking().Where(r => r.Day >= period.From && r.Day <= period.To);

    private static IQueryable<LedgerDayTotal> In(AppDbContext context, UsagePeriod period) => In(context.LedgerDayTotals, period);

    public async Task<UsageSummary> SummaryAsync(UsagePeriod period, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var rows = In(context, period);
        // One pass over the period's all-user roll-ups for the totals and the outcomes both (a few dozen
        // groups, summed again here).
        var outcomes = await rows.GroupBy(r => new { r.Outcome, r.FailureCategory }).Select(g => new
        {
            g.Key.Outcome,
            g.Key.FailureCategory,
            Count = g.Sum(r => r.Requests),
            Input = g.Sum(r => r.InputTokens),
            Output = g.Sum(r => r.OutputTokens),
            Reasoning = g.Sum(r => r.ReasoningTokens),
            Cached = g.Sum(r => r.CachedInputTokens),
            Cost = g.Sum(r => r.CostPico),
            Unpriced = g.Sum(r => r.UnpricedRequests),
            Saved = g.Sum(r => r.SavedCostPico),
        }).ToListAsync(ct);
        var totals = outcomes.Count == 0 ? null : new
        {
            Requests = outcomes.Sum(o => o.Count), Input = outcomes.Sum(o => o.Input), Output = outcomes.Sum(o => o.Output),
            Reasoning = outcomes.Sum(o => o.Reasoning), Cached = outcomes.Sum(o => o.Cached), Cost = outcomes.Sum(o => o.Cost),
            Unpriced = outcomes.Sum(o => o.Unpriced), Saved = outcomes.Sum(o => o.Saved),
        };
        var activeUsers = await In(context.LedgerDaily, period).Where(r => r.UserId != SystemUser).Select(r => r.UserId).Distinct().CountAsync(ct);
        var latency = await HistogramAsync(context, period, metric: 0, ct);
        var ttft = await HistogramAsync(context, period, metric: 1, ct);

        long Count(string outcome) => outcomes.Where(o => o.Outcome == outcome).Sum(o => o.Count);
        var requests = totals?.Requests ?? 0;
        var refused = Count(LedgerOutcomes.RateLimited);
        var served = requests - refused; // calls that got past the learner's limits
        var failed = Count(LedgerOutcomes.Failed);
        var hits = Count(LedgerOutcomes.Cached);
        return new UsageSummary(
            requests, activeUsers, totals?.Input ?? 0, totals?.Output ?? 0, totals?.Reasoning ?? 0, totals?.Cached ?? 0,
            Money.FromPico(totals?.Cost ?? 0), totals?.Unpriced ?? 0,
            hits, served > 0 ? (double)hits / served : 0, Money.FromPico(totals?.Saved ?? 0),
            failed, served > 0 ? (double)failed / served : 0,
            outcomes.Where(o => o.Outcome == LedgerOutcomes.Failed).GroupBy(o => o.FailureCategory)
                .ToDictionary(g => g.Key.Length > 0 ? g.Key : "unknown", g => g.Sum(o => o.Count)),
            refused, Count(LedgerOutcomes.Stopped),
            LatencyBuckets.Percentile(latency, 0.5), LatencyBuckets.Percentile(latency, 0.95),
            LatencyBuckets.Percentile(ttft, 0.5), LatencyBuckets.Percentile(ttft, 0.95));
    }

    /// <summary>How often the solution-leak guard replaced a reply, per feature (hint, feedback).</summary>
    public async Task<IReadOnlyList<GuardFirings>> GuardFiringsAsync(UsagePeriod period, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var rows = await context.ExerciseAttempts.AsNoTracking()
            .Where(a => a.CreatedAtUtc >= period.StartUtc && a.CreatedAtUtc < period.EndUtcExclusive)
            .GroupBy(a => a.Kind)
            .Select(g => new { Kind = g.Key, Replies = g.Count(), Replaced = g.Count(a => a.Guarded) })
            .ToListAsync(ct);
        return rows.Select(r => new GuardFirings(r.Kind == Tutoring.AttemptKind.Hint ? "hint" : "feedback", r.Replies, r.Replaced))
            .OrderBy(r => r.Feature, StringComparer.Ordinal).ToList();
    }

    private static async Task<Dictionary<int, long>> HistogramAsync(AppDbContext context, UsagePeriod period, int metric, CancellationToken ct) =>
        await context.LatencyDaily.AsNoTracking()
            .Where(h => h.Day >= period.From && h.Day <= period.To && h.Metric == metric)
            .GroupBy(h => h.Bucket)
            .Select(g => new { Bucket = g.Key, Count = g.Sum(h => h.Count) })
            .ToDictionaryAsync(x => x.Bucket, x => x.Count, ct);

    public async Task<IReadOnlyList<DailyModelCost>> CostPerDayByModelAsync(UsagePeriod period, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var rows = await In(context, period).GroupBy(r => new { r.Day, r.Model })
            .Select(g => new { g.Key.Day, g.Key.Model, Cost = g.Sum(r => r.CostPico) }).ToListAsync(ct);
        return rows.Select(r => new DailyModelCost(r.Day, r.Model.Length > 0 ? r.Model : "(none)", Money.FromPico(r.Cost)))
            .OrderBy(r => r.Day).ThenBy(r => r.Model).ToList();
    }

    public async Task<IReadOnlyList<DailyTokens>> TokensPerDayAsync(UsagePeriod period, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var rows = await In(context, period).GroupBy(r => r.Day)
            .Select(g => new DailyTokens(g.Key, g.Sum(r => r.InputTokens), g.Sum(r => r.OutputTokens), g.Sum(r => r.ReasoningTokens)))
            .ToListAsync(ct);
        return period.EachDay().Select(day => rows.FirstOrDefault(r => r.Day == day) ?? new DailyTokens(day, 0, 0, 0)).ToList();
    }

    public async Task<IReadOnlyList<DailyTotals>> DailyTotalsAsync(UsagePeriod period, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var rows = await In(context, period).GroupBy(r => r.Day).Select(g => new
        {
            Day = g.Key,
            Requests = g.Sum(r => r.Requests),
            Failed = g.Sum(r => r.Outcome == LedgerOutcomes.Failed ? r.Requests : 0),
            Limited = g.Sum(r => r.Outcome == LedgerOutcomes.RateLimited ? r.Requests : 0),
            Cost = g.Sum(r => r.CostPico),
        }).ToListAsync(ct);
        return period.EachDay().Select(day => rows.FirstOrDefault(r => r.Day == day) is { } r
            ? new DailyTotals(day, r.Requests, r.Failed, r.Limited, Money.FromPico(r.Cost))
            : new DailyTotals(day, 0, 0, 0, 0m)).ToList();
    }

    public Task<IReadOnlyList<UsageBreakdown>> PerUserAsync(UsagePeriod period, int? top = null, CancellationToken ct = default) =>
        BreakdownAsync(c => c.LedgerDaily, period, r => r.UserId, top, labelUsers: true, ct);

    public Task<IReadOnlyList<UsageBreakdown>> PerModelAsync(UsagePeriod period, CancellationToken ct = default) =>
        BreakdownAsync(c => c.LedgerDayTotals, period, r => r.Model, null, labelUsers: false, ct);

    public Task<IReadOnlyList<UsageBreakdown>> PerFeatureAsync(UsagePeriod period, CancellationToken ct = default) =>
        BreakdownAsync(c => c.LedgerDayTotals, period, r => r.Feature, null, labelUsers: false, ct);

    private async Task<IReadOnlyList<UsageBreakdown>> BreakdownAsync<T>(Func<AppDbContext, DbSet<T>> rollup, UsagePeriod period,
        System.Linq.Expressions.Expression<Func<T, string>> key, int? top, bool labelUsers, CancellationToken ct) where T : LedgerTotals
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var query = In(rollup(context), period).GroupBy(key).Select(g => new
        {
            Key = g.Key,
            Requests = g.Sum(r => r.Requests),
            Input = g.Sum(r => r.InputTokens),
            Output = g.Sum(r => r.OutputTokens),
            Cost = g.Sum(r => r.CostPico),
            Refusals = g.Sum(r => r.Outcome == LedgerOutcomes.RateLimited ? r.Requests : 0),
            Failed = g.Sum(r => r.Outcome == LedgerOutcomes.Failed ? r.Requests : 0),
            Hits = g.Sum(r => r.Outcome == LedgerOutcomes.Cached ? r.Requests : 0),
            Latency = g.Sum(r => r.LatencySumMs),
            Last = g.Max(r => r.LastAtUtc),
        }).OrderByDescending(x => x.Cost).ThenByDescending(x => x.Requests);
        var rows = top is { } n ? await query.Take(n).ToListAsync(ct) : await query.ToListAsync(ct);

        var labels = new Dictionary<string, string>();
        if (labelUsers)
        {
            var ids = rows.Select(r => r.Key).ToList();
            labels = await context.Users.AsNoTracking().Where(u => ids.Contains(u.Id))
                .ToDictionaryAsync(u => u.Id, u => u.Email ?? u.UserName ?? u.Id, ct);
        }
        return rows.Select(r => new UsageBreakdown(r.Key, labels.GetValueOrDefault(r.Key) ?? (r.Key.Length > 0 ? r.Key : "(none)"),
            r.Requests, r.Input, r.Output, Money.FromPico(r.Cost), r.Refusals, r.Failed, r.Hits,
            r.Requests > 0 ? (double)r.Latency / r.Requests : 0, r.Last)).ToList();
    }

    /// <summary>Tokens and cost per feature and model, for what-if pricing.</summary>
    public async Task<IReadOnlyList<FeatureModelTotals>> FeatureModelTotalsAsync(UsagePeriod period, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var rows = await In(context, period).Where(r => r.Outcome != LedgerOutcomes.Cached).GroupBy(r => new { r.Feature, r.Model })
            .Select(g => new { g.Key.Feature, g.Key.Model, Input = g.Sum(r => r.InputTokens), Cached = g.Sum(r => r.CachedInputTokens),
                Output = g.Sum(r => r.OutputTokens), Cost = g.Sum(r => r.CostPico) })
            .ToListAsync(ct);
        return rows.Select(r => new FeatureModelTotals(r.Feature, r.Model, r.Input, r.Cached, r.Output, Money.FromPico(r.Cost))).ToList();
    }

    /// <summary>Calls by whole-call latency, in bins a person can read.</summary>
    public async Task<IReadOnlyList<LatencyBin>> LatencyDistributionAsync(UsagePeriod period, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var histogram = await HistogramAsync(context, period, metric: 0, ct);
        var edges = LatencyBuckets.DisplayEdges;
        var bins = new long[edges.Length + 1];
        foreach (var (bucket, count) in histogram)
        {
            var upper = LatencyBuckets.UpperBounds[bucket];
            var bin = Array.FindIndex(edges, e => upper <= e);
            bins[bin < 0 ? edges.Length : bin] += count;
        }
        var labels = new List<string>();
        for (var i = 0; i <= edges.Length; i++)
        {
            labels.Add(i == edges.Length ? $"> {Seconds(edges[^1])}" : $"≤ {Seconds(edges[i])}");
        }
        return labels.Select((label, i) => new LatencyBin(label, bins[i])).ToList();
    }

    private static string Seconds(int ms) => ms < 1000 ? $"{ms} ms" : $"{ms / 1000.0:0.#} s";

    private static IQueryable<LedgerEntry> Filtered(AppDbContext context, LedgerFilter filter)
    {
        var start = filter.Period.StartUtc;
        var end = filter.Period.EndUtcExclusive;
        var engine = DatabaseEngine.Of(context);
        var source = filter.Sort == LedgerSort.CostDescending && !string.IsNullOrEmpty(filter.UserId)
            ? engine.LedgerForCostSort(context)
            : context.Ledger;
        var rows = Matching(source.AsNoTracking().Where(e => e.TimestampUtc >= start && e.TimestampUtc < end), filter);
        return filter.Sort switch
        {
            LedgerSort.Oldest => rows.OrderBy(e => e.TimestampUtc).ThenBy(e => e.Id),
            LedgerSort.CostDescending => engine.OrderByCostDescending(rows),
            LedgerSort.LatencyDescending => rows.OrderByDescending(e => e.LatencyMs).ThenByDescending(e => e.Id),
            LedgerSort.TokensDescending => rows.OrderByDescending(e => e.InputTokens + e.OutputTokens).ThenByDescending(e => e.Id),
            _ => rows.OrderByDescending(e => e.TimestampUtc).ThenByDescending(e => e.Id),
        };
    }

    public async Task<LedgerPage> LedgerPageAsync(LedgerFilter filter, int page, int pageSize, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var rows = await Filtered(context, filter).Skip(Math.Max(0, page) * pageSize).Take(pageSize).ToListAsync(ct);
        // The total comes from the roll-ups, which hold the same rows counted by the same keys.
        var totals = Matching(In(context.LedgerDaily, filter.Period), filter);
        return new LedgerPage(rows, await totals.SumAsync(r => r.Requests, ct));
    }

    /// <summary>The filter's keys, written once for ledger rows and their daily roll-ups alike.</summary>
    private static IQueryable<T> Matching<T>(IQueryable<T> rows, LedgerFilter filter) where T : class, ILedgerKeys
    {
        if (!string.IsNullOrEmpty(filter.UserId))
        {
            rows = rows.Where(e => e.UserId == filter.UserId);
        }
        if (!string.IsNullOrEmpty(filter.Feature))
        {
            rows = rows.Where(e => e.Feature == filter.Feature);
        }
        if (!string.IsNullOrEmpty(filter.Model))
        {
            rows = rows.Where(e => e.Model == filter.Model);
        }
        if (!string.IsNullOrEmpty(filter.Outcome))
        {
            rows = rows.Where(e => e.Outcome == filter.Outcome);
        }
        return rows;
    }

    /// <summary>Writes every row the filter selects, in the filter's order, as CSV.</summary>
    public async Task WriteCsvAsync(LedgerFilter filter, TextWriter output, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        await output.WriteLineAsync("timestamp_utc,user_id,conversation_id,feature,provider,model,input_tokens,output_tokens,reasoning_tokens,cached_input_tokens,cost_usd,saved_usd,latency_ms,time_to_first_token_ms,attempts,outcome,failure_category,overhead_ms");
        await foreach (var e in Filtered(context, filter).AsAsyncEnumerable().WithCancellation(ct))
        {
            await output.WriteLineAsync(string.Join(',',
                e.TimestampUtc.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture), Csv(e.UserId), e.ConversationId?.ToString() ?? "",
                Csv(e.Feature), Csv(e.Provider), Csv(e.Model), e.InputTokens, e.OutputTokens, e.ReasoningTokens, e.CachedInputTokens,
                e.CostUsd?.ToString(CultureInfo.InvariantCulture) ?? "", e.SavedCostUsd.ToString(CultureInfo.InvariantCulture), e.LatencyMs,
                e.TimeToFirstTokenMs?.ToString(CultureInfo.InvariantCulture) ?? "", e.Attempts, Csv(e.Outcome), Csv(e.FailureCategory ?? ""),
                e.OverheadMs?.ToString(CultureInfo.InvariantCulture) ?? ""));
        }
    }

    /// <summary>Quotes fields that need it, and defuses spreadsheet formulas (=, +, -, @).</summary>
    private static string Csv(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@')
        {
            value = "'" + value;
        }
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
