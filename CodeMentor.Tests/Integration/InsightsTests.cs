using CodeMentor.Core.Data;
using CodeMentor.Core.Insights;
using CodeMentor.Core.Llm;
using CodeMentor.Core.Usage;
using CodeMentor.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CodeMentor.Tests.Integration;

/// <summary>Deterministic findings from a known ledger, and the AI summary's guard rails.</summary>
public abstract class InsightsTests(DatabaseProvider database) : IAsyncLifetime
{
    private static readonly DateOnly Today = new(2026, 11, 25);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 18, 0, 0, TimeSpan.Zero));
    private readonly ScriptedChatClient _model = new();
    private CoreHost _host = default!;
    private string _ada = "";

    public async Task InitializeAsync()
    {
        _host = await CoreHost.StartAsync(database: database, configure: s =>
        {
            s.AddSingleton<TimeProvider>(_clock);
            s.AddSingleton<IChatClient>(_model);
        });
        _ada = await _host.CreateUserAsync("ada@example.org");
        var writer = _host.Get<LedgerWriter>();
        await writer.StartAsync(CancellationToken.None);
        // A quiet week on gpt-oss-120b code reviews, then an expensive day with failures.
        for (var day = 7; day >= 1; day--)
        {
            writer.Enqueue(Row(Today.AddDays(-day), "review", "openai/gpt-oss-120b", 0.01m, LedgerOutcomes.Ok));
            writer.Enqueue(Row(Today.AddDays(-day), "chat", "openai/gpt-oss-20b", 0.002m, LedgerOutcomes.Ok));
        }
        for (var i = 0; i < 4; i++)
        {
            writer.Enqueue(Row(Today, "review", "openai/gpt-oss-120b", 0.01m, LedgerOutcomes.Ok));
            writer.Enqueue(Row(Today, "chat", "openai/gpt-oss-20b", 0.002m, LedgerOutcomes.Failed, "server-error"));
        }
        writer.Enqueue(Row(Today, "chat", "openai/gpt-oss-20b", 0m, LedgerOutcomes.Cached, saved: 0.002m));
        await writer.FlushAsync();
    }

    private LedgerEntry Row(DateOnly day, string feature, string model, decimal cost, string outcome, string? category = null, decimal saved = 0) => new()
    {
        TimestampUtc = day.ToDateTime(new TimeOnly(12, 0), DateTimeKind.Utc), UserId = _ada, Feature = feature, Provider = "groq", Model = model,
        InputTokens = 10_000, OutputTokens = 2_000, CostUsd = cost, Outcome = outcome, FailureCategory = category, SavedCostUsd = saved,
        LatencyMs = 500, Attempts = 1,
    };

    public async Task DisposeAsync()
    {
        _model.Finish();
        await _host.Get<LedgerWriter>().StopAsync(CancellationToken.None);
        await _host.DisposeAsync();
    }

    private static readonly UsagePeriod Week = new(Today.AddDays(-6), Today);

    [Fact]
    public async Task Findings_spot_spikes_the_top_spenders_cache_savings_and_a_cheaper_model()
    {
        var findings = await _host.Get<InsightEngine>().FindAsync(Week);
        var byKind = findings.GroupBy(f => f.Kind).ToDictionary(g => g.Key, g => g.First());

        // Today: 4 × $0.01 + 4 × $0.002 = $0.048 against a daily average of $0.012.
        Assert.Contains("$0.048", byKind[FindingKind.CostSpike].Detail);
        Assert.Contains("4.0×", byKind[FindingKind.CostSpike].Detail);
        Assert.Contains("44.4%", byKind[FindingKind.ErrorSpike].Detail); // 4 of the 9 calls served today failed
        Assert.Contains("\"review\"", byKind[FindingKind.TopFeature].Detail);
        Assert.Contains("ada@example.org", byKind[FindingKind.TopUser].Detail);
        Assert.Contains("saving $0.002", byKind[FindingKind.CacheSavings].Detail);
        // Reviews on gpt-oss-120b priced on gpt-oss-20b: 10k in × 0.075 + 2k out × 0.30 = $0.00135 per call instead of $0.01.
        var whatIf = findings.First(f => f.Kind == FindingKind.WhatIfCheaperModel);
        Assert.Contains("\"review\"", whatIf.Title);
        Assert.Contains("would have cost $0.0135 instead of $0.10:", whatIf.Detail); // 10 reviews in the period
    }

    [Fact]
    public async Task The_summary_is_written_from_the_findings_and_recorded_as_the_insight_feature()
    {
        _model.Send("Costs rose to $0.048 today, 4.0× the 7-day average, and 44.4% of calls failed.");
        _model.Finish();

        var summary = await _host.Get<ExecutiveSummaryService>().GetAsync(Week, _ada);

        Assert.True(summary.AiText is not null, summary.AiUnavailableReason);
        Assert.Equal("Costs rose to $0.048 today, 4.0× the 7-day average, and 44.4% of calls failed.", summary.AiText);
        var prompt = Assert.Single(_model.Calls);
        Assert.Contains("Use ONLY the figures", prompt[0].Text);
        Assert.Contains("Cost spike", prompt[1].Text);
    }

    [Fact]
    public async Task When_the_model_fails_the_deterministic_findings_still_show()
    {
        _model.Fail(new LlmException(LlmFailureCategory.ServerError, "Groq is having trouble (503)."));

        var summary = await _host.Get<ExecutiveSummaryService>().GetAsync(Week, _ada);

        Assert.Null(summary.AiText);
        Assert.Contains("Groq is having trouble", summary.AiUnavailableReason);
        Assert.Contains(summary.Findings, f => f.Kind == FindingKind.CostSpike);
    }

    [Fact]
    public async Task A_summary_that_invents_numbers_is_not_shown()
    {
        _model.Send("Costs rose 37% to $912.50 this week.");
        _model.Finish();

        var summary = await _host.Get<ExecutiveSummaryService>().GetAsync(Week, _ada);

        Assert.Null(summary.AiText);
        Assert.Contains("figures that are not in the data", summary.AiUnavailableReason);
    }

    [Fact]
    public void Numbers_check_ignores_formatting_but_not_new_figures()
    {
        const string data = """{"cost_usd":"$1,234.50","error_rate":"12.5%","requests":4000}""";

        Assert.Empty(ExecutiveSummaryService.NumbersNotIn("Cost was $1234.50 over 4,000 requests; 12.5% failed. Two actions:", data));
        Assert.Equal(["13"], ExecutiveSummaryService.NumbersNotIn("About 13% failed.", data));
    }

    public sealed class OnSqlite() : InsightsTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : InsightsTests(DatabaseProvider.Postgres);
}
