using CodeMentor.Core.Accounts;
using CodeMentor.Core.Courses;
using CodeMentor.Core.Data;
using CodeMentor.Core.Llm;
using CodeMentor.Core.Prompts;
using CodeMentor.Core.RateLimiting;
using CodeMentor.Core.SharedState;
using CodeMentor.Core.Tutoring;
using CodeMentor.Core.Usage;
using CodeMentor.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CodeMentor.Tests.Integration;

/// <summary>Course budgets below the pages: real model calls (the Groq provider against the fake server, every
/// reply 600 + 400 tokens), counted by the same counters as each user's own limits — in process, or in a real
/// Redis — and started from the ledger. The clock is fake: Wednesday 25 November 2026, noon UTC.</summary>
public abstract class CourseBudgetFlowTests(DatabaseProvider database, bool redis) : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-25T12:00:00Z"));
    private FakeGroqServer _groq = default!;
    private RedisServer? _redis;
    private CoreHost _host = default!;
    private string _tess = "", _ada = "", _bob = "", _cy = "";

    private CourseService Courses => _host.Get<CourseService>();

    public async Task InitializeAsync()
    {
        _groq = await FakeGroqServer.StartAsync();
        _groq.Default = FakeGroqServer.Reply(GroqStream.Reply("Think about what the loop does first.", usage: GroqStream.Usage(600, 400)));
        var settings = new Dictionary<string, string?>
        {
            ["Llm:Groq:ApiKey"] = FakeGroqServer.Key, ["Llm:Groq:Endpoint"] = _groq.BaseUri.ToString(), ["Llm:CacheTtlSeconds"] = "0",
        };
        if (redis)
        {
            _redis = await RedisServer.StartAsync();
            settings[RedisSettings.ConfigurationKey] = _redis.Url;
        }
        _host = await CoreHost.StartAsync(settings, s => s.AddSingleton<TimeProvider>(_clock), database);
        _tess = await _host.CreateUserAsync("tess@example.org");
        _ada = await _host.CreateUserAsync("ada@example.org");
        _bob = await _host.CreateUserAsync("bob@example.org");
        _cy = await _host.CreateUserAsync("cy@example.org");
        await using var db = await _host.DbAsync();
        var role = new IdentityRole(Roles.Teacher) { NormalizedName = Roles.Teacher.ToUpperInvariant() };
        db.Roles.Add(role);
        db.UserRoles.Add(new IdentityUserRole<string> { UserId = _tess, RoleId = role.Id });
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _groq.DisposeAsync();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    private async Task<TaughtCourse> CourseAsync(string name, CourseBudget budget, params string[] learners)
    {
        var (course, error) = await Courses.CreateAsync(_tess, new CourseDraft(name, "Python", "beginner", TutorMode.FullHelp, Budget: budget));
        Assert.Null(error);
        foreach (var learner in learners)
        {
            Assert.Null((await Courses.JoinAsync(learner, course!.JoinCode)).Error);
        }
        return course!;
    }

    private async Task<SendResult> AskAsync(string userId, string question)
    {
        var conversation = await _host.Get<ConversationStore>().CreateAsync(userId, new LearnerContext());
        var sent = await _host.Get<ConversationService>().SendAsync(userId, conversation, question);
        if (sent.Run is { } run)
        {
            await run.Completion;
        }
        return sent;
    }

    private async Task<CourseBudgetStatus> StatusAsync(string userId) =>
        (await _host.Get<CourseBudgets>().StatusAsync(userId, (await Courses.StandingAsync(userId)).Working!))!;

    [Fact]
    public async Task Two_learners_use_up_their_courses_week_and_a_learner_of_another_course_goes_on()
    {
        Assert.IsType(redis ? typeof(RedisQuotaCounters) : typeof(InProcessQuotaCounters), _host.Get<IQuotaCounters>());
        await CourseAsync("Python 101", new CourseBudget(BudgetPeriod.Week, 2_500, null), _ada, _bob);
        await CourseAsync("Python 102", new CourseBudget(BudgetPeriod.Week, 2_500, null), _cy);

        Assert.Null((await AskAsync(_ada, "What is a loop?")).Error);
        Assert.Null((await AskAsync(_bob, "What is a list?")).Error);
        Assert.Equal(500, (await StatusAsync(_ada)).CourseLeft);
        Assert.Null((await AskAsync(_ada, "And a tuple?")).Error); // 500 left: allowed, and it takes the course past its budget

        var refused = await AskAsync(_bob, "What is a set?");
        Assert.Equal("Your course \"Python 101\" has used its budget of 2,500 tokens this week. "
            + "It renews Mon 30 Nov 00:00 UTC, in 4 d 12 h; your message is saved.", refused.Error);
        Assert.Equal("What is a set?", refused.UserMessage!.Content);
        Assert.Null(refused.Run);
        Assert.Null(refused.RetryAfter); // the chat has nothing to count down: the message says when it renews
        Assert.Equal(3, _groq.Requests.Count);
        Assert.Equal((0L, 3_000L), ((await StatusAsync(_bob)).CourseLeft, (await StatusAsync(_bob)).CourseUsed));

        Assert.Null((await AskAsync(_cy, "What is a dict?")).Error); // another course's budget is its own
        Assert.Equal(1_500, (await StatusAsync(_cy)).CourseLeft);

        // Monday 00:00 UTC: a new week, a new budget.
        _clock.SetUtcNow(DateTimeOffset.Parse("2026-11-30T00:00:00Z"));
        Assert.Null((await AskAsync(_bob, "What is a set?")).Error);
        Assert.Equal(1_500, (await StatusAsync(_ada)).CourseLeft);
    }

    [Fact]
    public async Task A_learner_who_has_used_their_share_is_refused_while_classmates_go_on_and_the_teacher_sees_who_used_what()
    {
        var course = await CourseAsync("Python 101", new CourseBudget(BudgetPeriod.Day, 10_000, 1_500), _ada, _bob);
        await _host.Get<LedgerWriter>().StartAsync(CancellationToken.None);

        Assert.Null((await AskAsync(_ada, "What is a loop?")).Error);
        Assert.Null((await AskAsync(_ada, "And a while loop?")).Error);
        var refused = await AskAsync(_ada, "And a for loop?");
        Assert.Equal("You have used your 1,500 tokens today in the course \"Python 101\". "
            + "It renews Thu 26 Nov 00:00 UTC, in 12 h 0 min; your message is saved.", refused.Error);
        Assert.Null((await AskAsync(_bob, "What is a list?")).Error);

        var status = await StatusAsync(_bob);
        Assert.Equal((7_000L, 500L, 500L), (status.CourseLeft!.Value, status.LearnerLeft!.Value, status.Left!.Value));
        var (total, learners, renews) = await _host.Get<CourseBudgets>().UsageAsync(course.Id, BudgetPeriod.Day, [_ada, _bob]);
        Assert.Equal(3_000, total);
        Assert.Equal(2_000, learners[_ada]);
        Assert.Equal(1_000, learners[_bob]);
        Assert.Equal(new DateTime(2026, 11, 26, 0, 0, 0, DateTimeKind.Utc), renews);

        // The page's refusal is in the ledger as the pipeline records one, so the dashboard counts it.
        await _host.Get<LedgerWriter>().FlushAsync();
        await _host.Get<LedgerWriter>().StopAsync(CancellationToken.None);
        await using var db = await _host.DbAsync();
        var row = await db.Ledger.SingleAsync(e => e.Outcome == LedgerOutcomes.RateLimited);
        Assert.Equal((_ada, "chat", course.Id, "course-budget", 0, refused.UserMessage!.ConversationId),
            (row.UserId, row.Feature, row.CourseId, row.FailureCategory, row.InputTokens + row.OutputTokens, row.ConversationId!.Value));
    }

    [Fact]
    public async Task Every_path_to_the_model_is_held_to_the_budget_and_the_ledger_names_the_course_so_a_restart_counts_on()
    {
        var course = await CourseAsync("Python 101", new CourseBudget(BudgetPeriod.Month, 1_000, null), _ada);
        await _host.Get<LedgerWriter>().StartAsync(CancellationToken.None);
        var pipeline = _host.Get<IChatClient>();
        ChatOptions Hint() => new ChatOptions().WithRequestContext(new(_ada, "hint"));

        await pipeline.GetResponseAsync([new(ChatRole.User, "A hint, please")], Hint()); // as the exercise page and /v1 call it
        var ex = await Assert.ThrowsAsync<LlmException>(() => pipeline.GetResponseAsync([new(ChatRole.User, "Another")], Hint()));
        Assert.Equal(LlmFailureCategory.CourseBudgetUsed, ex.Category);
        Assert.StartsWith("Your course \"Python 101\" has used its budget of 1,000 tokens this month. It renews Tue 1 Dec 00:00 UTC", ex.Message);
        // Onboarding is not course work: the budget does not hold it.
        await pipeline.GetResponseAsync([new(ChatRole.User, "Hello")], new ChatOptions().WithRequestContext(new(_ada, "onboarding")));
        await _host.Get<LedgerWriter>().FlushAsync();
        await _host.Get<LedgerWriter>().StopAsync(CancellationToken.None);

        await using (var db = await _host.DbAsync())
        {
            var rows = await db.Ledger.Where(e => e.UserId == _ada).OrderBy(e => e.Id).ToListAsync();
            Assert.Equal([(course.Id, LedgerOutcomes.Ok, null), (course.Id, LedgerOutcomes.RateLimited, "course-budget"), ((Guid?)null, LedgerOutcomes.Ok, (string?)null)],
                rows.Select(r => (r.CourseId, r.Outcome, r.FailureCategory)).ToList());
        }

        // A restarted node (fresh counters) starts the month from the ledger, not from zero.
        var restarted = new CourseBudgets(new InProcessQuotaCounters(_clock), _host.Get<ICourseUsageHistory>(), _clock);
        var decision = await restarted.CheckAsync(_ada, (await Courses.StandingAsync(_ada)).Working!);
        Assert.False(decision.Allowed);
    }

    public sealed class OnSqlite() : CourseBudgetFlowTests(DatabaseProvider.Sqlite, redis: false);

    public sealed class OnPostgresAndRedis() : CourseBudgetFlowTests(DatabaseProvider.Postgres, redis: true);
}
