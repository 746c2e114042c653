using System.Security.Claims;
using Bunit;
using CodeMentor.Core.Data;
using CodeMentor.Core.Tutoring;
using CodeMentor.Core.Tutoring.Exercises;
using CodeMentor.Tests.Support;
using CodeMentor.Web.Components.Pages.Exercises;
using CodeMentor.Web.Components.Pages.Review;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace CodeMentor.Tests.Components;

/// <summary>States of the review and exercise pages, rendered with bunit over real services.</summary>
public sealed class TutoringPageTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private BunitHost _host = default!;
    private BunitContext _ctx => _host.Context;
    private ScriptedChatClient _model => _host.Model;
    private string _ada => _host.UserId;

    public async Task InitializeAsync() => _host = await BunitHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<Guid> ExerciseAsync(ExerciseStatus status)
    {
        await using var db = await _ctx.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var exercise = new Core.Tutoring.Exercise
        {
            UserId = _ada, Title = "Sum the even numbers", Language = "Python", Difficulty = "easy", Statement = "Sum the **even** numbers.",
            StarterCode = "def sum_even(xs):\n    pass", CurrentCode = "def sum_even(xs):\n    pass", ReferenceSolution = "return sum(x for x in xs if x % 2 == 0)",
            ExamplesJson = """[{"input":"[1,2]","output":"2"}]""", Status = status, CreatedAtUtc = DateTime.UtcNow,
        };
        db.Exercises.Add(exercise);
        await db.SaveChangesAsync();
        return exercise.Id;
    }

    [Fact]
    public void An_empty_review_request_says_what_to_do_and_calls_no_model()
    {
        var page = _ctx.Render<Review>();

        page.Find("button[data-testid=review-submit]").Click();

        page.WaitForAssertion(() => Assert.Contains("Paste some code", page.Find("[data-testid=review-error]").TextContent), Wait);
        Assert.Empty(_model.Calls);
    }

    [Fact]
    public async Task A_review_shows_the_code_its_diagnostics_and_the_streaming_reply()
    {
        var reviews = _ctx.Services.GetRequiredService<Core.Tutoring.Reviews.CodeReviewService>();
        var started = await reviews.StartAsync(_ada, new Core.Tutoring.Reviews.ReviewRequest("int unused = 1;\nint x = \"a\";", [], "C#", "beginner", null, null));
        _model.Send("## Summary\nA type mismatch.");

        var page = _ctx.Render<Review>(p => p.Add(c => c.ReviewId, started.Review!.Id));

        page.WaitForAssertion(() => Assert.Contains("CS0029 (line 2)", page.Find("[data-testid=diagnostics-errors]").TextContent), Wait);
        Assert.Contains("CS0219 (line 1)", page.Find("[data-testid=diagnostics-warnings]").TextContent); // warnings shown as warnings
        Assert.DoesNotContain("CS0219", page.Find("[data-testid=diagnostics-errors]").TextContent);
        page.WaitForAssertion(() => Assert.Contains("A type mismatch", page.Find("[data-status=Streaming]").TextContent), Wait);
        _model.Finish();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-role=Assistant][data-status=Complete] h2")), Wait);
    }

    [Fact]
    public async Task An_open_exercise_hides_the_solution_and_offers_hints()
    {
        var id = await ExerciseAsync(ExerciseStatus.Open);

        var page = _ctx.Render<ExercisePage>(p => p.Add(c => c.ExerciseId, id));

        page.WaitForAssertion(() => Assert.Equal("Sum the even numbers", page.Find("[data-testid=exercise-title]").TextContent), Wait);
        Assert.NotNull(page.Find("[data-testid=exercise-hint]"));
        Assert.Empty(page.FindAll("[data-testid=reference-solution]"));
        Assert.DoesNotContain("x % 2 == 0", page.Markup);
    }

    [Fact]
    public async Task A_failing_hint_keeps_the_code_and_says_why()
    {
        var id = await ExerciseAsync(ExerciseStatus.Open);
        _model.Fail(new Core.Llm.LlmException(Core.Llm.LlmFailureCategory.ServerError, "Groq is having trouble (503)."));
        var page = _ctx.Render<ExercisePage>(p => p.Add(c => c.ExerciseId, id));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=exercise-code]")), Wait);

        page.Find("[data-testid=exercise-code]").Input("def sum_even(xs):\n    total = 0");
        page.Find("button[data-testid=exercise-hint]").Click();

        page.WaitForAssertion(() => Assert.Contains("Groq is having trouble (503). Your code is saved.", page.Find("[data-testid=exercise-error]").TextContent), Wait);
        Assert.Equal("def sum_even(xs):\n    total = 0", page.Find("[data-testid=exercise-code]").GetAttribute("value"));
    }

    [Fact]
    public async Task A_finished_exercise_shows_the_reference_solution()
    {
        var id = await ExerciseAsync(ExerciseStatus.Solved);

        var page = _ctx.Render<ExercisePage>(p => p.Add(c => c.ExerciseId, id));

        page.WaitForAssertion(() => Assert.Contains("x % 2 == 0", page.Find("[data-testid=reference-solution]").TextContent), Wait);
        Assert.Empty(page.FindAll("[data-testid=exercise-hint]"));
    }
}
