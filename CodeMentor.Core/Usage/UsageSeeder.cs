using CodeMentor.Core.Accounts;
using CodeMentor.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CodeMentor.Core.Usage;

/// <summary>
/// Fills the ledger with realistic made-up usage (learners, features, models, daily rhythm,
/// failures, cache hits, refusals) for trying the dashboard and measuring it at scale. Rows are
/// written with their roll-ups, exactly as the live ledger writes them.
/// </summary>
public sealed class UsageSeeder(IDbContextFactory<AppDbContext> db, PricingTable pricing, TimeProvider time)
{
    public const string DemoDomain = "demo.codementor.local";

    private static readonly (string Feature, double Weight, string Model)[] Features =
    [
        ("chat", 0.45, "openai/gpt-oss-20b"), ("review", 0.15, "openai/gpt-oss-120b"), ("exercise", 0.08, "openai/gpt-oss-120b"),
        ("hint", 0.14, "openai/gpt-oss-20b"), ("feedback", 0.08, "openai/gpt-oss-20b"), ("onboarding", 0.03, "openai/gpt-oss-20b"),
        ("concept", 0.06, "openai/gpt-oss-20b"), ("insight", 0.01, "openai/gpt-oss-120b"),
    ];

    private static readonly string[] FailureCategories = ["server-error", "timeout", "rate-limited", "interrupted", "unauthorized"];

    public async Task<int> SeedAsync(int rows, int days = 30, int users = 40, int seed = 7, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        var random = new Random(seed);
        var userIds = await EnsureDemoUsersAsync(users, ct);
        var now = time.GetUtcNow().UtcDateTime;
        var start = now.Date.AddDays(1 - days);
        // Some learners use the tutor far more than others.
        var weights = userIds.Select((_, i) => 1.0 / (i + 1)).ToArray();
        // One transaction: the seed lands whole (rows and roll-ups) or not at all. Rows go through one
        // bulk path of the engine (a prepared INSERT, PostgreSQL's COPY) and the roll-ups are summed in memory and written once at the end: EF's
        // change tracker and an upsert per group per batch made 1M rows take minutes.
        var totals = new UsageRollupTotals();
        await using var context = await db.CreateDbContextAsync(ct);
        await context.Database.OpenConnectionAsync(ct);
        await using var transaction = await context.Database.BeginTransactionAsync(ct);
        await using (var load = await DatabaseEngine.Of(context).BeginLedgerLoadAsync(context, ct))
        {
            for (var written = 1; written <= rows; written++)
            {
                var row = Row(random, start, now, userIds, weights);
                await load.AddAsync(row, ct);
                totals.Add(row);
                if (written % 50_000 == 0 || written == rows)
                {
                    progress?.Report(written);
                }
            }
            await load.CompleteAsync(ct);
        }
        await totals.ApplyAsync(context, ct);
        await transaction.CommitAsync(ct);
        return rows;
    }

    private LedgerEntry Row(Random random, DateTime start, DateTime now, IReadOnlyList<string> userIds, double[] weights)
    {
        // Busier in the afternoon and evening, and growing over the month.
        var span = (now - start).TotalSeconds;
        var at = start.AddSeconds(Math.Pow(random.NextDouble(), 0.8) * span);
        if (random.NextDouble() < 0.5)
        {
            at = at.Date.AddHours(13 + random.NextDouble() * 9);
        }
        if (at > now)
        {
            at = now.AddSeconds(-random.Next(1, 3600));
        }
        var (feature, _, model) = Pick(random, Features, f => f.Weight);
        var user = userIds[PickIndex(random, weights)];
        var entry = new LedgerEntry
        {
            TimestampUtc = at,
            UserId = user,
            Feature = feature,
            Provider = "groq",
            Model = model,
            Attempts = 1,
        };
        var roll = random.NextDouble();
        if (roll < 0.02)
        {
            entry.Outcome = LedgerOutcomes.RateLimited;
            entry.FailureCategory = "quota";
            entry.CostPico = 0;
            entry.LatencyMs = random.Next(0, 3);
            return entry;
        }
        var input = (int)Math.Exp(6 + random.NextDouble() * 2.2); // ~400 to ~3,600
        var output = (int)Math.Exp(4.5 + random.NextDouble() * 2.5); // ~90 to ~1,100
        var tokensPerSecond = model.EndsWith("120b", StringComparison.Ordinal) ? 500 : 1000;
        entry.LatencyMs = 150 + random.Next(0, 250) + output * 1000 / tokensPerSecond;
        entry.TimeToFirstTokenMs = 120 + random.Next(0, 300);
        if (roll < 0.08)
        {
            entry.Outcome = LedgerOutcomes.Cached;
            entry.CostUsd = 0m;
            entry.SavedCostUsd = pricing.Cost(model, new() { InputTokenCount = input, OutputTokenCount = output }) ?? 0m;
            entry.LatencyMs = random.Next(1, 15);
            entry.TimeToFirstTokenMs = entry.LatencyMs;
            return entry;
        }
        entry.InputTokens = input;
        entry.OutputTokens = output;
        entry.ReasoningTokens = (int)(output * (0.1 + random.NextDouble() * 0.3));
        entry.CachedInputTokens = random.NextDouble() < 0.3 ? input / 2 : 0;
        entry.CostUsd = pricing.Cost(model, new() { InputTokenCount = input, OutputTokenCount = output, CachedInputTokenCount = entry.CachedInputTokens });
        if (roll < 0.105)
        {
            entry.Outcome = LedgerOutcomes.Failed;
            entry.FailureCategory = FailureCategories[random.Next(FailureCategories.Length)];
            entry.Attempts = 1 + random.Next(0, 4);
            entry.OutputTokens /= 4;
            entry.CostUsd = pricing.Cost(model, new() { InputTokenCount = input, OutputTokenCount = entry.OutputTokens });
        }
        else if (roll < 0.125)
        {
            entry.Outcome = LedgerOutcomes.Stopped;
        }
        else
        {
            entry.Outcome = LedgerOutcomes.Ok;
        }
        return entry;
    }

    /// <summary>How many demo accounts exist (their emails end in @<see cref="DemoDomain"/>).</summary>
    public async Task<int> DemoUserCountAsync(CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        return await context.Users.CountAsync(u => u.Email!.EndsWith("@" + DemoDomain), ct);
    }

    /// <summary>Removes every demo account and all usage recorded for them, roll-ups included, in one
    /// transaction: afterwards the dashboard shows exactly the real users' usage.</summary>
    public async Task<(int Users, long Rows)> RemoveDemoDataAsync(CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var demo = await context.Users.Where(u => u.Email!.EndsWith("@" + DemoDomain)).Select(u => u.Id).ToListAsync(ct);
        if (demo.Count == 0)
        {
            return (0, 0);
        }
        await using var transaction = await context.Database.BeginTransactionAsync(ct);
        // Latency buckets are not kept per user: take the demo rows' counts out of them first.
        var latencies = await context.Ledger.AsNoTracking().Where(e => demo.Contains(e.UserId))
            .Select(e => new { e.TimestampUtc, e.LatencyMs, e.TimeToFirstTokenMs }).ToListAsync(ct);
        var histogram = latencies.Select(e => (Day: DateOnly.FromDateTime(e.TimestampUtc), Metric: 0, Bucket: LatencyBuckets.IndexOf(e.LatencyMs)))
            .Concat(latencies.Where(e => e.TimeToFirstTokenMs is not null)
                .Select(e => (Day: DateOnly.FromDateTime(e.TimestampUtc), Metric: 1, Bucket: LatencyBuckets.IndexOf(e.TimeToFirstTokenMs!.Value))));
        foreach (var group in histogram.GroupBy(h => h))
        {
            var (day, metric, bucket) = group.Key;
            var count = group.LongCount();
            await context.LatencyDaily.Where(l => l.Day == day && l.Metric == metric && l.Bucket == bucket)
                .ExecuteUpdateAsync(set => set.SetProperty(l => l.Count, l => l.Count - count), ct);
        }
        await context.LatencyDaily.Where(l => l.Count <= 0).ExecuteDeleteAsync(ct);
        var rows = await context.Ledger.Where(e => demo.Contains(e.UserId)).ExecuteDeleteAsync(ct);
        await context.LedgerDaily.Where(e => demo.Contains(e.UserId)).ExecuteDeleteAsync(ct);
        await UsageRollups.RebuildDayTotalsAsync(context, ct);
        await context.UserLimits.Where(l => demo.Contains(l.UserId)).ExecuteDeleteAsync(ct);
        await context.Users.Where(u => demo.Contains(u.Id)).ExecuteDeleteAsync(ct);
        await transaction.CommitAsync(ct);
        return (demo.Count, rows);
    }

    private async Task<IReadOnlyList<string>> EnsureDemoUsersAsync(int count, CancellationToken ct)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var existing = await context.Users.Where(u => u.Email!.EndsWith("@" + DemoDomain)).Select(u => u.Id).ToListAsync(ct);
        for (var i = existing.Count; i < count; i++)
        {
            var email = $"learner{i + 1:000}@{DemoDomain}";
            var user = new AppUser
            {
                UserName = email, Email = email, NormalizedEmail = email.ToUpperInvariant(), NormalizedUserName = email.ToUpperInvariant(),
                SecurityStamp = Guid.NewGuid().ToString(), // no password: demo accounts cannot sign in
            };
            context.Users.Add(user);
            existing.Add(user.Id);
        }
        await context.SaveChangesAsync(ct);
        return existing;
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items, Func<T, double> weight)
    {
        var roll = random.NextDouble() * items.Sum(weight);
        foreach (var item in items)
        {
            roll -= weight(item);
            if (roll <= 0)
            {
                return item;
            }
        }
        return items[^1];
    }

    private static int PickIndex(Random random, double[] weights)
    {
        var roll = random.NextDouble() * weights.Sum();
        for (var i = 0; i < weights.Length; i++)
        {
            roll -= weights[i];
            if (roll <= 0)
            {
                return i;
            }
        }
        return weights.Length - 1;
    }
}
