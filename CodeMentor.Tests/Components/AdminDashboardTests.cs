using System.Security.Claims;
using Bunit;
using CodeMentor.Core.Accounts;
using CodeMentor.Core.Data;
using CodeMentor.Core.Insights;
using CodeMentor.Core.Llm;
using CodeMentor.Core.Usage;
using CodeMentor.Tests.Support;
using CodeMentor.Web.Components.Pages.Admin;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;
using MudBlazor.Services;

namespace CodeMentor.Tests.Components;

/// <summary>The dashboard and its panels with bunit, over real queries on a SQLite file and on PostgreSQL.</summary>
public abstract class AdminDashboardTests(DatabaseProvider database) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly BunitContext _ctx = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 15, 0, 0, TimeSpan.Zero));
    private readonly ScriptedChatClient _model = new();
    private readonly string _folder = TempFolder.Create();
    private LedgerWriter _ledger = default!;
    private readonly string _adminId = Guid.NewGuid().ToString();
    private string? _postgres;

    public async Task InitializeAsync()
    {
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddMudServices();
        Dictionary<string, string?>? settings = null;
        if (database == DatabaseProvider.Postgres)
        {
            _postgres = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
            settings = new() { [DatabaseEngine.ProviderKey] = "postgres", ["ConnectionStrings:CodeMentor"] = _postgres };
        }
        _ctx.Services.AddCodeMentorCoreForTests(_folder, settings);
        _ctx.Services.AddSingleton<TimeProvider>(_clock);
        _ctx.Services.AddSingleton<IChatClient>(_model);
    }

    private async Task StartAsync(bool admin)
    {
        var auth = _ctx.AddAuthorization();
        auth.SetAuthorized("someone@example.org");
        if (admin)
        {
            auth.SetRoles(Roles.Admin);
        }
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, _adminId));
        await _ctx.Services.GetRequiredService<DatabaseInitializer>().StartAsync(CancellationToken.None);
        await using (var db = await _ctx.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync())
        {
            db.Users.Add(new AppUser { Id = _adminId, UserName = "someone@example.org", Email = "someone@example.org" });
            await db.SaveChangesAsync();
        }
        _ledger = _ctx.Services.GetRequiredService<LedgerWriter>();
        await _ledger.StartAsync(CancellationToken.None);
        BunitHost.RenderOnTheCircuit(_ctx);
        _ctx.Render<MudPopoverProvider>();
    }

    public async Task DisposeAsync()
    {
        _model.Finish();
        await _ledger.StopAsync(CancellationToken.None);
        await _ctx.DisposeAsync();
        TempFolder.Delete(_folder);
        if (_postgres is not null)
        {
            await (await PostgresServer.SharedAsync()).DropDatabaseAsync(_postgres);
        }
    }

    private async Task WriteAsync(int count, decimal cost = 0.001m)
    {
        for (var i = 0; i < count; i++)
        {
            _ledger.Enqueue(new LedgerEntry
            {
                TimestampUtc = _clock.GetUtcNow().UtcDateTime.AddMinutes(-i), UserId = _adminId, Feature = "chat", Provider = "groq",
                Model = "openai/gpt-oss-20b", InputTokens = 1000, OutputTokens = 200, CostUsd = cost, LatencyMs = 700, TimeToFirstTokenMs = 150,
                Attempts = 1, Outcome = LedgerOutcomes.Ok,
            });
        }
        await _ledger.FlushAsync();
    }

    private static string Figure(IRenderedComponent<AdminDashboard> page, string id) =>
        page.Find($"[data-testid={id}] [data-testid=figure-value]").TextContent.Trim();

    [Fact]
    public async Task An_admin_sees_the_figures_charts_and_tables_of_the_period()
    {
        await StartAsync(admin: true);
        await WriteAsync(3);
        _model.Fail(new LlmException(LlmFailureCategory.ServerError, "Groq is having trouble (503)."));

        var page = _ctx.Render<AdminDashboard>();

        page.WaitForAssertion(() => Assert.Equal("3", Figure(page, "figure-requests")), Wait);
        Assert.Equal("1", Figure(page, "figure-active-users"));
        Assert.Equal("$0.003", Figure(page, "figure-cost"));
        var charts = page.FindAll("[data-testid=charts] > [data-testid^=chart-]");
        Assert.Equal(5, charts.Count);
        Assert.All(charts, chart => Assert.NotNull(chart.QuerySelector("svg")));
        Assert.Contains("someone@example.org", page.Find("[data-testid=table-users]").TextContent);
        // The model failed, so the panel says so and still lists the findings from the ledger.
        page.WaitForAssertion(() => Assert.Contains("Groq is having trouble", page.Find("[data-testid=summary-unavailable]").TextContent), Wait);
        Assert.NotEmpty(page.FindAll("[data-testid=finding]"));
    }

    [Fact]
    public async Task New_ledger_rows_update_the_open_dashboard()
    {
        await StartAsync(admin: true);
        await WriteAsync(2);
        _model.Fail(new LlmException(LlmFailureCategory.ServerError, "offline"));
        var page = _ctx.Render<AdminDashboard>();
        page.WaitForAssertion(() => Assert.Equal("2", Figure(page, "figure-requests")), Wait);

        await WriteAsync(5);
        _clock.Advance(AdminDashboard.LiveRefreshDelay);

        page.WaitForAssertion(() => Assert.Equal("7", Figure(page, "figure-requests")), Wait);
    }

    [Fact]
    public async Task An_empty_period_offers_demo_data()
    {
        await StartAsync(admin: true);
        _model.Fail(new LlmException(LlmFailureCategory.ServerError, "offline"));

        var page = _ctx.Render<AdminDashboard>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=seed-demo]")), Wait);
    }

    [Fact]
    public async Task A_learner_gets_no_figures_and_no_live_channel()
    {
        await StartAsync(admin: false);
        await WriteAsync(3);

        var page = _ctx.Render<AdminDashboard>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=access-denied]")), Wait);
        Assert.Empty(page.FindAll("[data-testid=figures]"));
        Assert.Empty(_model.Calls);
    }

    public sealed class OnSqlite() : AdminDashboardTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : AdminDashboardTests(DatabaseProvider.Postgres);
}

public sealed class AdminPanelTests : IAsyncLifetime
{
    private readonly BunitContext _ctx = new();

    public Task InitializeAsync()
    {
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddMudServices();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    private void UseProvider(LlmOptions options) =>
        _ctx.Services.AddSingleton(new LlmStatus(Microsoft.Extensions.Options.Options.Create(options)));

    [Fact]
    public void Insights_mark_the_summary_as_AI_written()
    {
        UseProvider(new LlmOptions { Groq = { ApiKey = "gsk_test" } });
        var summary = new ExecutiveSummary([new InsightFinding(FindingKind.CacheSavings, "Cache savings", "Saved $1.20.")],
            "Spend is steady.", null, DateTime.UtcNow);

        var panel = _ctx.Render<InsightsPanel>(p => p.Add(c => c.Summary, summary));

        Assert.Contains("AI-written", panel.Find("[data-testid=ai-written]").TextContent);
        Assert.Equal("Spend is steady.", panel.Find("[data-testid=summary-text]").TextContent);
        Assert.Contains("Saved $1.20.", panel.Find("[data-testid=finding]").TextContent);
    }

    [Fact]
    public void The_simulators_placeholder_summary_is_labelled_as_such_not_as_AI_written()
    {
        UseProvider(new LlmOptions());
        var summary = new ExecutiveSummary([], "Simulated summary text.", null, DateTime.UtcNow);

        var panel = _ctx.Render<InsightsPanel>(p => p.Add(c => c.Summary, summary));

        Assert.Empty(panel.FindAll("[data-testid=ai-written]"));
        Assert.Contains("Simulator placeholder", panel.Find("[data-testid=simulator-text]").TextContent);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(10)]
    public void A_breakdown_that_fits_one_page_shows_every_row_and_no_pager(int count)
    {
        var table = RenderBreakdown(count);

        Assert.Equal(count, table.FindAll("tbody tr.mud-table-row").Count);
        Assert.Empty(table.FindAll(".mud-table-pagination"));
    }

    [Fact]
    public void A_breakdown_longer_than_a_page_pages_to_its_last_row()
    {
        var table = RenderBreakdown(11);

        Assert.Equal(10, table.FindAll("tbody tr.mud-table-row").Count);
        Assert.Contains("1-10 of 11", table.Find(".mud-table-pagination").TextContent);
        table.Find("button[aria-label='Next page']").Click();
        var rows = table.FindAll("tbody tr.mud-table-row");
        Assert.Single(rows);
        Assert.Contains("user 11", rows[0].TextContent);
    }

    [Fact]
    public void A_breakdown_on_its_second_page_that_shrinks_to_one_page_shows_its_rows()
    {
        var table = RenderBreakdown(11);
        table.Find("button[aria-label='Next page']").Click();

        table.Render(p => p.Add(c => c.Rows, Rows(5)));

        Assert.Equal(5, table.FindAll("tbody tr.mud-table-row").Count);
    }

    private static List<UsageBreakdown> Rows(int count) =>
        Enumerable.Range(1, count).Select(i => new UsageBreakdown($"u{i}", $"user {i}", 100 - i, 10, 20, 0.01m, 0, 0, 0, 300,
            new DateTime(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc))).ToList();

    private IRenderedComponent<BreakdownTable> RenderBreakdown(int count)
    {
        _ctx.Render<MudPopoverProvider>(); // the pager's page-size menu needs it
        return _ctx.Render<BreakdownTable>(p => p.Add(c => c.Title, "Per user").Add(c => c.KeyHeader, "User").Add(c => c.Rows, Rows(count)));
    }

    [Fact]
    public void Figures_show_rates_percentiles_and_error_categories()
    {
        var summary = new UsageSummary(200, 12, 10_000, 5_000, 700, 1_000, 1.2345m, 0, 20, 0.1, 0.25m, 6, 0.03,
            new Dictionary<string, long> { ["timeout"] = 4, ["server-error"] = 2 }, 5, 1, 640, 2300, 150, 480);

        var cards = _ctx.Render<FigureCards>(p => p.Add(c => c.Summary, summary));

        Assert.Contains("10%", cards.Find("[data-testid=figure-cache]").TextContent);
        Assert.Contains("saved $0.25", cards.Find("[data-testid=figure-cache]").TextContent);
        Assert.Contains("timeout 4 · server-error 2", cards.Find("[data-testid=figure-errors]").TextContent);
        Assert.Contains("640 ms / 2.3 s", cards.Find("[data-testid=figure-latency]").TextContent);
        Assert.Contains("$1.2345", cards.Find("[data-testid=figure-cost]").TextContent);
    }
}
