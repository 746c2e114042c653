using BenchmarkDotNet.Attributes;
using CodeMentor.Core;
using CodeMentor.Core.Insights;
using CodeMentor.Core.Usage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CodeMentor.Benchmarks;

/// <summary>
/// Issue target: with 1,000,000 ledger rows every dashboard query answers in ≤ 100 ms. Needs a
/// seeded database: <c>CODEMENTOR_DB=/tmp/bench1m.db dotnet run -c Release --project CodeMentor.Web -- seed-usage 1000000 30</c>,
/// then <c>CODEMENTOR_BENCH_DB=/tmp/bench1m.db dotnet run -c Release --project CodeMentor.Benchmarks -- --filter '*Dashboard*'</c>.
/// On PostgreSQL: seed with <c>CODEMENTOR_DB_PROVIDER=postgres CODEMENTOR_DB_CONNECTION="Host=…"</c> and set
/// <c>CODEMENTOR_BENCH_DB</c> to the same connection string.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[InProcess]
public class DashboardBenchmarks
{
    private ServiceProvider _services = default!;
    private UsageQueries _queries = default!;
    private InsightEngine _insights = default!;
    private UsagePeriod _month = default!;
    private UsagePeriod _week = default!;
    private string _busiestUser = "";

    [GlobalSetup]
    public void Setup()
    {
        var path = Environment.GetEnvironmentVariable("CODEMENTOR_BENCH_DB")
            ?? throw new InvalidOperationException("Set CODEMENTOR_BENCH_DB to a database seeded with seed-usage.");
        var postgres = path.StartsWith("Host=", StringComparison.OrdinalIgnoreCase);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:CodeMentor"] = postgres ? path : $"Data Source={path}",
            [Core.Data.DatabaseEngine.ProviderKey] = postgres ? "postgres" : "sqlite",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Error));
        services.AddCodeMentorCore(configuration);
        _services = services.BuildServiceProvider();
        _queries = _services.GetRequiredService<UsageQueries>();
        _insights = _services.GetRequiredService<InsightEngine>();
        _month = UsagePeriod.LastDays(TimeProvider.System, 30);
        _week = UsagePeriod.LastDays(TimeProvider.System, 7);
        _busiestUser = _queries.PerUserAsync(_month, top: 1).GetAwaiter().GetResult()[0].Key;
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Description = "Figures, 30 days")] public Task<UsageSummary> Summary() => _queries.SummaryAsync(_month);
    [Benchmark(Description = "Cost per day by model, 30 days")] public Task<IReadOnlyList<DailyModelCost>> CostByModel() => _queries.CostPerDayByModelAsync(_month);
    [Benchmark(Description = "Tokens per day, 30 days")] public Task<IReadOnlyList<DailyTokens>> Tokens() => _queries.TokensPerDayAsync(_month);
    [Benchmark(Description = "Per user table, 30 days")] public Task<IReadOnlyList<UsageBreakdown>> PerUser() => _queries.PerUserAsync(_month);
    [Benchmark(Description = "Per model table, 30 days")] public Task<IReadOnlyList<UsageBreakdown>> PerModel() => _queries.PerModelAsync(_month);
    [Benchmark(Description = "Per feature table, 30 days")] public Task<IReadOnlyList<UsageBreakdown>> PerFeature() => _queries.PerFeatureAsync(_month);
    [Benchmark(Description = "Latency distribution, 30 days")] public Task<IReadOnlyList<LatencyBin>> Latency() => _queries.LatencyDistributionAsync(_month);
    [Benchmark(Description = "Ledger page 1, newest, 30 days")] public Task<LedgerPage> LedgerNewest() => _queries.LedgerPageAsync(new LedgerFilter(_month), 0, 25);
    [Benchmark(Description = "Ledger page 40, newest, 30 days")] public Task<LedgerPage> LedgerDeepPage() => _queries.LedgerPageAsync(new LedgerFilter(_month), 40, 25);
    [Benchmark(Description = "Ledger, one user by cost, 30 days")] public Task<LedgerPage> LedgerUserByCost() =>
        _queries.LedgerPageAsync(new LedgerFilter(_month, UserId: _busiestUser, Sort: LedgerSort.CostDescending), 0, 25);
    [Benchmark(Description = "Ledger, failed only, 7 days")] public Task<LedgerPage> LedgerFailedWeek() =>
        _queries.LedgerPageAsync(new LedgerFilter(_week, Outcome: LedgerOutcomes.Failed), 0, 25);
    [Benchmark(Description = "Insight findings, 30 days")] public Task<IReadOnlyList<InsightFinding>> Findings() => _insights.FindAsync(_month);
}
