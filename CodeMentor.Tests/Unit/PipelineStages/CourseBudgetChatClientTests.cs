using CodeMentor.Core.Courses;
using CodeMentor.Core.Llm;
using CodeMentor.Core.Llm.Pipeline;
using CodeMentor.Core.Tokens;
using CodeMentor.Tests.Support;
using Microsoft.Extensions.AI;
using static CodeMentor.Tests.Unit.PipelineStages.InnerStub;

namespace CodeMentor.Tests.Unit.PipelineStages;

/// <summary>The course budget stage alone: course work is held to the working course's budgets (a refusal reaches no
/// inner stage), its tokens count unless the reply was cached, and the course travels outward as a fact.</summary>
public sealed class CourseBudgetChatClientTests : IAsyncLifetime
{
    private CoreHost _host = default!;
    private string _ada = "", _bo = "";
    private Guid _courseId;

    public async Task InitializeAsync()
    {
        _host = await CoreHost.StartAsync();
        _ada = await _host.CreateUserAsync("ada@example.org");
        _bo = await _host.CreateUserAsync("bo@example.org");
        _courseId = Guid.NewGuid();
        await using var db = await _host.DbAsync();
        db.Courses.Add(new Course { Id = _courseId, Name = "Python 101", JoinCode = "ABCDEFGH", BudgetPeriod = BudgetPeriod.Day, LearnerTokenBudget = 200 });
        db.CourseMembers.Add(new CourseMember { CourseId = _courseId, UserId = _ada, Role = CourseRole.Learner, Working = true });
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private CourseBudgetChatClient Budgets(IChatClient inner) =>
        new(inner, _host.Get<CourseService>(), _host.Get<CourseBudgets>(), _host.Get<TokenCounter>());

    private async Task<long?> LeftAsync(string user) =>
        (await _host.Get<CourseBudgets>().StatusAsync(user, (await _host.Get<CourseService>().StandingAsync(user)).Working!))!.Left;

    [Fact]
    public async Task Course_work_counts_against_the_course_names_it_and_is_refused_before_any_work_once_used_up()
    {
        var (updates, error) = await Budgets(new InnerStub([Text("Answer."), End(100, 50)])).GetStreamingResponseAsync(Ask("One"), For(_ada)).ReadAllAsync();
        Assert.Null(error);
        Assert.Equal(_courseId, updates[0].Get<Guid?>(CallFacts.CourseId));
        Assert.Equal(50, await LeftAsync(_ada));

        var cached = new InnerStub([Text("Answer.").With(CallFacts.CacheHit, true), End(100, 50)]);
        await Budgets(cached).GetResponseAsync(Ask("Two"), For(_ada));
        Assert.Equal(50, await LeftAsync(_ada));

        await Budgets(new InnerStub([Text("Answer."), End(100, 50)])).GetResponseAsync(Ask("Three"), For(_ada)); // 50 left: allowed
        var refused = new InnerStub([Text("never")]);
        (_, error) = await Budgets(refused).GetStreamingResponseAsync(Ask("Four"), For(_ada)).ReadAllAsync();
        var ex = Assert.IsType<LlmException>(error);
        Assert.Equal(LlmFailureCategory.CourseBudgetUsed, ex.Category);
        Assert.Equal(_courseId, ex.Get<Guid?>(CallFacts.CourseId));
        Assert.Empty(refused.Calls);
    }

    [Fact]
    public async Task Work_outside_a_course_and_onboarding_pass_unheld_and_unnamed()
    {
        var outside = new InnerStub([Text("Answer."), End(1000, 500)]);
        var (updates, _) = await Budgets(outside).GetStreamingResponseAsync(Ask("One"), For(_bo)).ReadAllAsync();
        Assert.Null(updates[0].Get<Guid?>(CallFacts.CourseId));

        var onboarding = new InnerStub([Text("Welcome."), End(1000, 500)]);
        (updates, _) = await Budgets(onboarding).GetStreamingResponseAsync(Ask("Hello"), For(_ada, "onboarding")).ReadAllAsync();
        Assert.Null(updates[0].Get<Guid?>(CallFacts.CourseId));
        Assert.Equal(200, await LeftAsync(_ada));
    }
}
