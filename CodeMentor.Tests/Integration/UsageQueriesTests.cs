using CodeMentor.Core.Data;
using CodeMentor.Core.Usage;
using CodeMentor.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace CodeMentor.Tests.Integration;

/// <summary>Every dashboard figure against a small dataset whose answers are worked out by hand,
/// written through the real ledger writer (roll-ups included) into a SQLite file.</summary>
public abstract class UsageQueriesTests(DatabaseProvider database) : IAsyncLifetime
{
    private static readonly DateOnly Day1 = new(2026, 11, 20);
    private static readonly DateOnly Day2 = new(2026, 11, 21);
    private CoreHost _host = default!;
    private string _ada = "", _bob = "", _cy = "";

    private UsageQueries Queries => _host.Get<UsageQueries>();
    private static readonly UsagePeriod BothDays = new(Day1, Day2);

    public async Task InitializeAsync()
    {
        _host = await CoreHost.StartAsync(database: database);
        _ada = await _host.CreateUserAsync("ada@example.org");
        _bob = await _host.CreateUserAsync("bob@example.org");
        _cy = await _host.CreateUserAsync("cy@example.org");
        var writer = _host.Get<LedgerWriter>();
        await writer.StartAsync(CancellationToken.None);

        LedgerEntry Row(DateOnly day, int hour, string user, string feature, string model, string outcome, int input, int output,
            decimal? cost, int latency, int? ttft, string? category = null, decimal saved = 0, int reasoning = 0, int cached = 0) => new()
        {
            TimestampUtc = day.ToDateTime(new TimeOnly(hour, 0), DateTimeKind.Utc), UserId = user, Feature = feature, Provider = "groq",
            Model = model, Outcome = outcome, FailureCategory = category, InputTokens = input, OutputTokens = output, ReasoningTokens = reasoning,
            CachedInputTokens = cached, CostUsd = cost, SavedCostUsd = saved, LatencyMs = latency, TimeToFirstTokenMs = ttft, Attempts = 1,
        };

        const string small = "openai/gpt-oss-20b", large = "openai/gpt-oss-120b";
        foreach (var row in new[]
        {
            // Day 1: Ada chats twice and has one review; Bob chats once (failed) and is refused once.
            Row(Day1, 9, _ada, "chat", small, LedgerOutcomes.Ok, 1000, 500, 0.000225m, 400, 100, reasoning: 50),
            Row(Day1, 10, _ada, "chat", small, LedgerOutcomes.Ok, 2000, 1000, 0.00045m, 800, 120, cached: 1000),
            Row(Day1, 11, _ada, "review", large, LedgerOutcomes.Ok, 3000, 2000, 0.00165m, 2000, 300, reasoning: 400),
            Row(Day1, 12, _bob, "chat", small, LedgerOutcomes.Failed, 500, 0, 0.0000375m, 30000, null, category: "timeout"),
            Row(Day1, 13, _bob, "chat", "", LedgerOutcomes.RateLimited, 0, 0, 0m, 1, null, category: "quota"),
            // Day 2: a cache hit for Cy, a stopped hint for Cy, an unpriced call for Ada, a 500 for Bob.
            Row(Day2, 9, _cy, "chat", small, LedgerOutcomes.Cached, 0, 0, 0m, 5, 5, saved: 0.000225m),
            Row(Day2, 10, _cy, "hint", small, LedgerOutcomes.Stopped, 800, 100, 0.00009m, 600, 150),
            Row(Day2, 11, _ada, "chat", "mystery/model", LedgerOutcomes.Ok, 100, 100, null, 1000, 200),
            Row(Day2, 12, _bob, "chat", small, LedgerOutcomes.Failed, 600, 0, 0m, 50, null, category: "server-error"),
        })
        {
            writer.Enqueue(row);
        }
        await writer.FlushAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.Get<LedgerWriter>().StopAsync(CancellationToken.None);
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Demo_data_is_counted_apart_and_removed_in_one_action_leaving_exactly_the_real_figures()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var all = new UsagePeriod(today.AddDays(-40), today);
        var before = await Queries.SummaryAsync(all);
        var seeder = _host.Get<UsageSeeder>();

        await seeder.SeedAsync(2_000, users: 6);
        Assert.Equal(6, await seeder.DemoUserCountAsync());
        Assert.Equal(before.Requests + 2_000, (await Queries.SummaryAsync(all)).Requests);

        var (users, rows) = await seeder.RemoveDemoDataAsync();

        Assert.Equal((6, 2_000L), (users, rows));
        Assert.Equal(0, await seeder.DemoUserCountAsync());
        var after = await Queries.SummaryAsync(all);
        Assert.Equal((before.Requests, before.ActiveUsers, before.InputTokens, before.OutputTokens, before.CostUsd),
            (after.Requests, after.ActiveUsers, after.InputTokens, after.OutputTokens, after.CostUsd));
        // Latency buckets are shared by all users; the demo rows' share came out of them exactly.
        Assert.Equal((before.LatencyP50Ms, before.LatencyP95Ms, before.TimeToFirstTokenP50Ms, before.TimeToFirstTokenP95Ms),
            (after.LatencyP50Ms, after.LatencyP95Ms, after.TimeToFirstTokenP50Ms, after.TimeToFirstTokenP95Ms));
        await using var db = await _host.DbAsync();
        Assert.Equal(3, db.Users.Count()); // the real accounts are kept
    }

    [Fact]
    public async Task Seeded_rows_are_stored_as_EF_stores_them_and_their_roll_ups_add_up()
    {
        await using var before = await _host.DbAsync();
        var latencyBefore = before.LatencyDaily.Sum(l => l.Count);

        await _host.Get<UsageSeeder>().SeedAsync(3_000, days: 10, users: 5);

        await using var db = await _host.DbAsync();
        var demo = db.Users.Where(u => u.Email!.EndsWith("@" + UsageSeeder.DemoDomain)).Select(u => u.Id).ToList();
        var rows = db.Ledger.AsNoTracking().Where(e => demo.Contains(e.UserId)).ToList(); // read back through EF's mapping
        Assert.Equal(3_000, rows.Count);
        var since = DateTime.UtcNow.Date.AddDays(-9);
        Assert.Equal(3_000, db.Ledger.Count(e => demo.Contains(e.UserId) && e.TimestampUtc >= since)); // dates compare as EF writes them

        var daily = db.LedgerDaily.AsNoTracking().Where(d => demo.Contains(d.UserId)).ToList();
        Assert.Equal(3_000, daily.Sum(d => d.Requests));
        Assert.Equal(rows.Sum(r => (long)r.InputTokens), daily.Sum(d => d.InputTokens));
        Assert.Equal(rows.Sum(r => (long)r.OutputTokens), daily.Sum(d => d.OutputTokens));
        Assert.Equal(rows.Sum(r => r.CostPico ?? 0), daily.Sum(d => d.CostPico));
        Assert.Equal(rows.Sum(r => r.SavedCostPico), daily.Sum(d => d.SavedCostPico));
        Assert.Equal(rows.Count(r => r.Outcome == LedgerOutcomes.Failed), daily.Where(d => d.Outcome == LedgerOutcomes.Failed).Sum(d => d.Requests));
        foreach (var day in rows.GroupBy(r => DateOnly.FromDateTime(r.TimestampUtc)))
        {
            Assert.Equal(day.Max(r => r.TimestampUtc), daily.Where(d => d.Day == day.Key).Max(d => d.LastAtUtc));
        }
        Assert.Equal(latencyBefore + rows.Count + rows.Count(r => r.TimeToFirstTokenMs is not null), db.LatencyDaily.Sum(l => l.Count));
        Assert.Equal(await TotalsOverUsersAsync(db), await DayTotalsAsync(db));
    }

    [Fact]
    public async Task The_all_user_totals_equal_the_per_user_roll_ups_summed_and_their_migration_fills_them_from_those()
    {
        await _host.Get<UsageSeeder>().SeedAsync(500, days: 5, users: 3);
        await using var db = await _host.DbAsync();
        var expected = await TotalsOverUsersAsync(db);
        Assert.Equal(expected, await DayTotalsAsync(db)); // kept by every write

        // Down to the migration before the table, and up again: it is created and filled from LedgerDaily.
        var migrator = db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>();
        var migrations = db.Database.GetMigrations().ToList();
        var adding = migrations.FindIndex(m => m.EndsWith("_LedgerDayTotals", StringComparison.Ordinal));
        await migrator.MigrateAsync(migrations[adding - 1]);
        await migrator.MigrateAsync();

        Assert.Equal(expected, await DayTotalsAsync(db));
        Assert.Equal(expected.Count, db.LedgerDayTotals.Count());
    }

    private static async Task<List<string>> TotalsOverUsersAsync(AppDbContext db) =>
        Describe((await db.LedgerDaily.AsNoTracking().ToListAsync())
            .GroupBy(d => (d.Day, d.Feature, d.Provider, d.Model, d.Outcome, d.FailureCategory))
            .Select(g => (g.Key, g.Sum(d => d.Requests), g.Sum(d => d.InputTokens), g.Sum(d => d.OutputTokens), g.Sum(d => d.ReasoningTokens),
                g.Sum(d => d.CachedInputTokens), g.Sum(d => d.CostPico), g.Sum(d => d.UnpricedRequests), g.Sum(d => d.SavedCostPico),
                g.Sum(d => d.LatencySumMs), g.Max(d => d.LastAtUtc))));

    private static async Task<List<string>> DayTotalsAsync(AppDbContext db) =>
        Describe((await db.LedgerDayTotals.AsNoTracking().ToListAsync())
            .Select(d => ((d.Day, d.Feature, d.Provider, d.Model, d.Outcome, d.FailureCategory), d.Requests, d.InputTokens, d.OutputTokens,
                d.ReasoningTokens, d.CachedInputTokens, d.CostPico, d.UnpricedRequests, d.SavedCostPico, d.LatencySumMs, d.LastAtUtc)));

    private static List<string> Describe<T>(IEnumerable<T> rows) => rows.Select(r => r!.ToString()!).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task Summary_figures_are_exact()
    {
        var s = await Queries.SummaryAsync(BothDays);

        Assert.Equal(9, s.Requests);
        Assert.Equal(3, s.ActiveUsers);
        Assert.Equal(1000 + 2000 + 3000 + 500 + 800 + 100 + 600, s.InputTokens);
        Assert.Equal(500 + 1000 + 2000 + 100 + 100, s.OutputTokens);
        Assert.Equal(450, s.ReasoningTokens);
        Assert.Equal(1000, s.CachedInputTokens);
        Assert.Equal(0.000225m + 0.00045m + 0.00165m + 0.0000375m + 0.00009m, s.CostUsd);
        Assert.Equal(1, s.UnpricedRequests);
        Assert.Equal(1, s.CacheHits);
        Assert.Equal(1.0 / 8, s.CacheHitRate, 10); // 8 calls got past the limits
        Assert.Equal(0.000225m, s.SavedUsd);
        Assert.Equal(2, s.Failed);
        Assert.Equal(2.0 / 8, s.ErrorRate, 10);
        Assert.Equal(new Dictionary<string, long> { ["timeout"] = 1, ["server-error"] = 1 }, s.ErrorsByCategory);
        Assert.Equal(1, s.RateLimitRefusals);
        Assert.Equal(1, s.Stopped);
    }

    [Fact]
    public async Task Percentiles_are_the_nearest_rank_within_the_bucket_resolution()
    {
        var s = await Queries.SummaryAsync(BothDays);

        // Latencies sorted: 1, 5, 50, 400, 600, 800, 1000, 2000, 30000. Nearest rank: p50 → 5th = 600, p95 → 9th = 30000.
        AssertWithinBucket(600, s.LatencyP50Ms);
        AssertWithinBucket(30000, s.LatencyP95Ms);
        // First-token times: 5, 100, 120, 150, 200, 300. p50 → 3rd = 120, p95 → 6th = 300.
        AssertWithinBucket(120, s.TimeToFirstTokenP50Ms);
        AssertWithinBucket(300, s.TimeToFirstTokenP95Ms);
    }

    private static void AssertWithinBucket(int exact, int? reported)
    {
        Assert.NotNull(reported);
        Assert.InRange(reported!.Value, exact, (int)Math.Ceiling(exact * LatencyBuckets.Growth) + 1);
        Assert.Equal(LatencyBuckets.UpperBounds[LatencyBuckets.IndexOf(exact)], reported);
    }

    [Fact]
    public async Task Period_limits_what_is_counted()
    {
        var day2 = await Queries.SummaryAsync(new UsagePeriod(Day2, Day2));

        Assert.Equal(4, day2.Requests);
        Assert.Equal(3, day2.ActiveUsers);
        Assert.Equal(0.00009m, day2.CostUsd);
    }

    [Fact]
    public async Task Chart_series_are_exact()
    {
        var cost = await Queries.CostPerDayByModelAsync(BothDays);
        Assert.Contains(new DailyModelCost(Day1, "openai/gpt-oss-20b", 0.000225m + 0.00045m + 0.0000375m), cost);
        Assert.Contains(new DailyModelCost(Day1, "openai/gpt-oss-120b", 0.00165m), cost);
        Assert.Contains(new DailyModelCost(Day2, "openai/gpt-oss-20b", 0.00009m), cost);

        var tokens = await Queries.TokensPerDayAsync(BothDays);
        Assert.Equal([new DailyTokens(Day1, 6500, 3500, 450), new DailyTokens(Day2, 1500, 200, 0)], tokens);

        var features = await Queries.PerFeatureAsync(BothDays);
        Assert.Equal(new Dictionary<string, long> { ["chat"] = 7, ["review"] = 1, ["hint"] = 1 }, features.ToDictionary(f => f.Key, f => f.Requests));

        var latency = await Queries.LatencyDistributionAsync(BothDays);
        Assert.Equal(9, latency.Sum(b => b.Count));
        Assert.Equal(3, latency.Single(b => b.Label == "≤ 250 ms").Count); // 1, 5, 50
        Assert.Equal(1, latency.Single(b => b.Label == "≤ 30 s").Count);
    }

    [Fact]
    public async Task Per_user_table_orders_by_cost_with_refusals_and_last_activity()
    {
        var users = await Queries.PerUserAsync(BothDays);

        Assert.Equal(["ada@example.org", "cy@example.org", "bob@example.org"], users.Select(u => u.Label));
        var ada = users[0];
        Assert.Equal((4L, 0.000225m + 0.00045m + 0.00165m), (ada.Requests, ada.CostUsd));
        Assert.Equal(Day2.ToDateTime(new TimeOnly(11, 0)), ada.LastAtUtc);
        var bob = users.Single(u => u.Key == _bob);
        Assert.Equal((3L, 1L, 2L), (bob.Requests, bob.Refusals, bob.Failed));
        var cy = users.Single(u => u.Key == _cy);
        Assert.Equal(1, cy.CacheHits);

        var top = await Queries.PerUserAsync(BothDays, top: 1);
        Assert.Equal(_ada, Assert.Single(top).Key);

        var models = await Queries.PerModelAsync(BothDays);
        Assert.Equal(0.00165m, models.Single(m => m.Key == "openai/gpt-oss-120b").CostUsd);
        Assert.Equal(6, models.Single(m => m.Key == "openai/gpt-oss-20b").Requests);
    }

    [Fact]
    public async Task Ledger_explorer_filters_sorts_pages_and_counts()
    {
        var failedChats = await Queries.LedgerPageAsync(new LedgerFilter(BothDays, Feature: "chat", Outcome: LedgerOutcomes.Failed), 0, 10);
        Assert.Equal(2, failedChats.Total);
        Assert.Equal(["server-error", "timeout"], failedChats.Rows.Select(r => r.FailureCategory)); // newest first

        var adasByCost = await Queries.LedgerPageAsync(new LedgerFilter(BothDays, UserId: _ada, Sort: LedgerSort.CostDescending), 0, 2);
        Assert.Equal(4, adasByCost.Total);
        Assert.Equal([0.00165m, 0.00045m], adasByCost.Rows.Select(r => r.CostUsd));

        var secondPage = await Queries.LedgerPageAsync(new LedgerFilter(BothDays, UserId: _ada, Sort: LedgerSort.CostDescending), 1, 2);
        Assert.Equal([0.000225m, null], secondPage.Rows.Select(r => r.CostUsd));
    }

    [Fact]
    public async Task Csv_export_has_exactly_the_filtered_rows()
    {
        var writer = new StringWriter();
        await Queries.WriteCsvAsync(new LedgerFilter(BothDays, UserId: _bob, Sort: LedgerSort.Oldest), writer);

        var lines = writer.ToString().TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.StartsWith("timestamp_utc,user_id,", lines[0]);
        Assert.Equal(4, lines.Length); // header + Bob's three rows
        Assert.Contains(",failed,timeout", lines[1]);
        Assert.Contains(",rate-limited,quota", lines[2]);
        Assert.Contains(",failed,server-error", lines[3]);
        Assert.All(lines.Skip(1), l => Assert.Contains(_bob, l));
    }

    public sealed class OnSqlite() : UsageQueriesTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : UsageQueriesTests(DatabaseProvider.Postgres);
}
