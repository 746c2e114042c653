using CodeMentor.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CodeMentor.Core.Usage;

/// <summary>Sums of ledger rows for one day and key: what the dashboard reads, so its queries stay
/// fast with millions of ledger rows.</summary>
public abstract class LedgerTotals
{
    public DateOnly Day { get; set; }
    public string Feature { get; set; } = "";
    public string Provider { get; set; } = "";
    public string Model { get; set; } = "";
    public string Outcome { get; set; } = "";
    public string FailureCategory { get; set; } = "";
    public long Requests { get; set; }
    public long InputTokens { get; set; }
    public long OutputTokens { get; set; }
    public long ReasoningTokens { get; set; }
    public long CachedInputTokens { get; set; }
    public long CostPico { get; set; }
    public long UnpricedRequests { get; set; }
    public long SavedCostPico { get; set; }
    public long LatencySumMs { get; set; }
    public DateTime LastAtUtc { get; set; }

    internal void Add(LedgerEntry e)
    {
        Requests++;
        InputTokens += e.InputTokens;
        OutputTokens += e.OutputTokens;
        ReasoningTokens += e.ReasoningTokens;
        CachedInputTokens += e.CachedInputTokens;
        CostPico += e.CostPico ?? 0;
        UnpricedRequests += e.CostPico is null ? 1 : 0;
        SavedCostPico += e.SavedCostPico;
        LatencySumMs += e.LatencyMs;
        if (e.TimestampUtc > LastAtUtc)
        {
            LastAtUtc = e.TimestampUtc;
        }
    }
}

/// <summary>Ledger totals per day, user, feature, provider, model and outcome: for what needs the user
/// (the per-user table, active users, a user's limits).</summary>
public sealed class LedgerDaily : LedgerTotals, ILedgerKeys
{
    public string UserId { get; set; } = "";
}

/// <summary>Ledger totals per day, feature, provider, model and outcome over all users: ~1/40 of
/// <see cref="LedgerDaily"/>'s rows with 40 active learners, for the figures, charts and insights that
/// do not need the user (each read over a month of <see cref="LedgerDaily"/> cost ~25 ms at 1M ledger rows).</summary>
public sealed class LedgerDayTotal : LedgerTotals;

/// <summary>How many calls of a day fell in each latency bucket (see <see cref="LatencyBuckets"/>).</summary>
public sealed class LatencyDaily
{
    public DateOnly Day { get; set; }

    /// <summary>0 = whole-call latency, 1 = time to first token.</summary>
    public int Metric { get; set; }

    public int Bucket { get; set; }
    public long Count { get; set; }
}

/// <summary>
/// Log-scale latency buckets, each 8% wider than the one before: a percentile read from them is
/// the bucket's upper bound, at most 8% above the exact value. Exact percentiles over a month of
/// raw rows would mean sorting millions of values per query.
/// </summary>
internal static class LatencyBuckets
{
    public const double Growth = 1.08;

    /// <summary>Edges of the latency chart's bins; they are bucket bounds too, so bins are exact.</summary>
    public static readonly int[] DisplayEdges = [250, 500, 1000, 2000, 5000, 10000, 30000];

    public static readonly int[] UpperBounds = Build();

    private static int[] Build()
    {
        var bounds = new List<int>();
        double bound = 1;
        while (bound < 600_000)
        {
            var next = (int)Math.Ceiling(bound);
            if (bounds.Count == 0 || next > bounds[^1])
            {
                bounds.Add(next);
            }
            bound *= Growth;
        }
        bounds.AddRange(DisplayEdges);
        bounds.Add(int.MaxValue);
        return bounds.Distinct().Order().ToArray();
    }

    public static int IndexOf(int milliseconds)
    {
        var index = Array.BinarySearch(UpperBounds, Math.Max(0, milliseconds));
        return index >= 0 ? index : ~index;
    }

    /// <summary>Nearest-rank percentile (0 &lt; p ≤ 1) from bucket counts.</summary>
    public static int? Percentile(IReadOnlyDictionary<int, long> counts, double p)
    {
        var total = counts.Values.Sum();
        if (total == 0)
        {
            return null;
        }
        var rank = (long)Math.Ceiling(p * total);
        long seen = 0;
        foreach (var (bucket, count) in counts.OrderBy(c => c.Key))
        {
            seen += count;
            if (seen >= rank)
            {
                return UpperBounds[bucket];
            }
        }
        return UpperBounds[counts.Keys.Max()];
    }
}

/// <summary>Adds a batch of ledger rows to the daily roll-ups with upserts, in the caller's transaction.</summary>
internal static class UsageRollups
{
    public static Task ApplyAsync(AppDbContext context, IReadOnlyList<LedgerEntry> batch, CancellationToken ct = default)
    {
        var totals = new UsageRollupTotals();
        foreach (var entry in batch)
        {
            totals.Add(entry);
        }
        return totals.ApplyAsync(context, ct);
    }

    /// <summary>Sums <c>LedgerDayTotals</c> again from <c>LedgerDaily</c>, after rows were taken out of it
    /// (the demo seed removed). The migration that added the table filled it with the same statement.</summary>
    public static async Task RebuildDayTotalsAsync(AppDbContext context, CancellationToken ct = default)
    {
        await context.LedgerDayTotals.ExecuteDeleteAsync(ct);
        await context.Database.ExecuteSqlRawAsync(RebuildDayTotalsSql, ct);
    }

    /// <summary>Plain SQL that reads the same in SQLite and PostgreSQL.</summary>
    internal const string RebuildDayTotalsSql = """
        INSERT INTO "LedgerDayTotals" ("Day", "Feature", "Provider", "Model", "Outcome", "FailureCategory", "Requests", "InputTokens",
            "OutputTokens", "ReasoningTokens", "CachedInputTokens", "CostPico", "UnpricedRequests", "SavedCostPico", "LatencySumMs", "LastAtUtc")
        SELECT "Day", "Feature", "Provider", "Model", "Outcome", "FailureCategory", SUM("Requests"), SUM("InputTokens"), SUM("OutputTokens"),
            SUM("ReasoningTokens"), SUM("CachedInputTokens"), SUM("CostPico"), SUM("UnpricedRequests"), SUM("SavedCostPico"),
            SUM("LatencySumMs"), MAX("LastAtUtc")
        FROM "LedgerDaily"
        GROUP BY "Day", "Feature", "Provider", "Model", "Outcome", "FailureCategory"
        """;
}

/// <summary>Roll-up totals of any number of ledger rows, summed in memory and written with one
/// upsert per day/user/feature/provider/model/outcome, one per day/feature/provider/model/outcome
/// and one per latency bucket.</summary>
internal sealed class UsageRollupTotals
{
    private readonly Dictionary<(DateOnly Day, string UserId, string Feature, string Provider, string Model, string Outcome, string Category), LedgerDaily> _daily = [];
    private readonly Dictionary<(DateOnly Day, string Feature, string Provider, string Model, string Outcome, string Category), LedgerDayTotal> _dayTotals = [];
    private readonly Dictionary<(DateOnly Day, int Metric, int Bucket), long> _latency = [];

    public void Add(LedgerEntry e)
    {
        var day = DateOnly.FromDateTime(e.TimestampUtc);
        var category = e.FailureCategory ?? "";
        var key = (day, e.UserId, e.Feature, e.Provider, e.Model, e.Outcome, category);
        if (!_daily.TryGetValue(key, out var daily))
        {
            _daily[key] = daily = new LedgerDaily
            {
                Day = day, UserId = e.UserId, Feature = e.Feature, Provider = e.Provider, Model = e.Model, Outcome = e.Outcome,
                FailureCategory = category, LastAtUtc = e.TimestampUtc,
            };
        }
        daily.Add(e);
        var totalKey = (day, e.Feature, e.Provider, e.Model, e.Outcome, category);
        if (!_dayTotals.TryGetValue(totalKey, out var total))
        {
            _dayTotals[totalKey] = total = new LedgerDayTotal
            {
                Day = day, Feature = e.Feature, Provider = e.Provider, Model = e.Model, Outcome = e.Outcome,
                FailureCategory = category, LastAtUtc = e.TimestampUtc,
            };
        }
        total.Add(e);
        CountLatency(day, 0, e.LatencyMs);
        if (e.TimeToFirstTokenMs is { } firstToken)
        {
            CountLatency(day, 1, firstToken);
        }
    }

    private void CountLatency(DateOnly day, int metric, int milliseconds)
    {
        var key = (day, metric, LatencyBuckets.IndexOf(milliseconds));
        _latency[key] = _latency.GetValueOrDefault(key) + 1;
    }

    public async Task ApplyAsync(AppDbContext context, CancellationToken ct = default)
    {
        var engine = DatabaseEngine.Of(context);
        foreach (var d in _daily.Values)
        {
            await engine.UpsertTotalsAsync(context, d, ct);
        }
        foreach (var d in _dayTotals.Values)
        {
            await engine.UpsertTotalsAsync(context, d, ct);
        }
        foreach (var ((day, metric, bucket), count) in _latency)
        {
            await engine.UpsertLatencyAsync(context, day, metric, bucket, count, ct);
        }
    }
}
