using CodeMentor.Core.Courses;
using CodeMentor.Web.Components.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace CodeMentor.Web.Components.Pages.Courses;

/// <summary>Joining courses and choosing the one to work in; for teachers, creating courses and setting
/// their policy. Every action is checked again by <see cref="CourseService"/> for the signed-in user.</summary>
public partial class Courses
{
    [Parameter] public string? Code { get; set; }
    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;
    [Inject] private CourseService CourseService { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private ConversationSharing Sharing { get; set; } = default!;

    private string _userId = "";
    private bool _ready;
    private bool _isTeacher;
    private string? _joinCode;
    private string? _message;
    private bool _messageIsError;
    private IReadOnlyList<JoinedCourse> _learning = [];
    private IReadOnlyList<TaughtCourse> _teaching = [];
    private CourseDraft _newCourse = NewDraft();
    private readonly Dictionary<Guid, IReadOnlyList<CourseLearner>> _rosters = [];
    private readonly Dictionary<Guid, CourseUsage> _usage = [];
    private readonly Dictionary<Guid, IReadOnlyList<SharedConversationSummary>> _shared = [];

    private Guid? Working => _learning.FirstOrDefault(c => c.Working)?.Id;

    private static CourseDraft NewDraft() => new("", "", "beginner", TutorMode.SmallExamples);

    protected override async Task OnInitializedAsync()
    {
        _userId = UserId.Of((await AuthenticationState).User);
        _isTeacher = await CourseService.IsTeacherAsync(_userId);
    }

    protected override async Task OnParametersSetAsync()
    {
        if (Code is { } code && RendererInfo.IsInteractive) // joined once, by the circuit, not by the prerendered paint
        {
            // A join link: join, then show the plain address so a reload does not join again.
            await JoinWithAsync(code);
            Navigation.NavigateTo("courses", replace: true);
        }
        await LoadAsync();
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            _ready = true; // the circuit is up and the page's handlers work
            StateHasChanged();
        }
    }

    private async Task LoadAsync()
    {
        _learning = await CourseService.LearningAsync(_userId);
        _teaching = _isTeacher ? await CourseService.TeachingAsync(_userId) : [];
        _shared.Clear();
        foreach (var course in _teaching)
        {
            _shared[course.Id] = await Sharing.SharedWithAsync(_userId, course.Id) ?? [];
        }
        _usage.Clear();
        foreach (var course in _teaching.Where(c => c.Budget.Limits))
        {
            try
            {
                if (await CourseService.UsageAsync(_userId, course.Id) is { } usage)
                {
                    _usage[course.Id] = usage;
                }
            }
            catch (CodeMentor.Core.Llm.LlmException)
            {
                // The shared counters (Redis) do not answer: the page shows the budget without what is used.
            }
        }
    }

    private async Task JoinAsync()
    {
        await JoinWithAsync(_joinCode ?? "");
        await LoadAsync();
    }

    private async Task JoinWithAsync(string code)
    {
        var (course, error) = await CourseService.JoinAsync(_userId, code);
        if (course is not null)
        {
            _joinCode = null;
        }
        Show(error ?? $"You are in \"{course!.Name}\"" + (course.Working ? ", and the tutor now follows its rules." : ". Choose it below to work in it."), error is not null);
    }

    private async Task SetWorkingAsync(Guid? courseId)
    {
        var error = await CourseService.SetWorkingAsync(_userId, courseId);
        await LoadAsync();
        Show(error ?? (courseId is null ? "You work outside any course now." : $"You work in \"{_learning.First(c => c.Id == courseId).Name}\" now."), error is not null);
    }

    private async Task LeaveAsync(JoinedCourse course)
    {
        var error = await CourseService.LeaveAsync(_userId, course.Id);
        await LoadAsync();
        Show(error ?? $"You left \"{course.Name}\".", error is not null);
    }

    private async Task CreateAsync(CourseDraft draft)
    {
        var (course, error) = await CourseService.CreateAsync(_userId, draft);
        if (course is not null)
        {
            _newCourse = NewDraft();
        }
        await LoadAsync();
        Show(error ?? $"\"{course!.Name}\" is ready. Give your learners the join code {course.JoinCode}.", error is not null);
    }

    private async Task UpdateAsync(TaughtCourse course, CourseDraft draft)
    {
        var error = await CourseService.UpdateAsync(_userId, course.Id, draft);
        await LoadAsync();
        Show(error ?? $"\"{draft.Name.Trim()}\" is saved; its learners' next questions follow it.", error is not null);
    }

    private async Task ShowLearnersAsync(TaughtCourse course)
    {
        if (await CourseService.LearnersAsync(_userId, course.Id) is { } roster)
        {
            _rosters[course.Id] = roster;
        }
    }

    private async Task RemoveAsync(TaughtCourse course, CourseLearner learner)
    {
        var error = await CourseService.RemoveLearnerAsync(_userId, course.Id, learner.UserId);
        await LoadAsync();
        await ShowLearnersAsync(course);
        Show(error ?? $"{learner.Email} is no longer in \"{course.Name}\".", error is not null);
    }

    private void Show(string message, bool isError) => (_message, _messageIsError) = (message, isError);

    private string JoinLink(string code) => Navigation.BaseUri + "courses/join/" + code;

    private static CourseDraft DraftOf(TaughtCourse c) => new(c.Name, c.Languages, c.Level, c.Mode, c.ExamStartsUtc, c.ExamEndsUtc, c.Budget, c.LeakGuard);

    internal static string BudgetText(CourseBudget budget) => (budget.CourseTokens, budget.LearnerTokens) switch
    {
        (null, null) => "No token budget.",
        ({ } course, null) => $"Budget: {CourseBudget.Tokens(course)} {CourseBudget.Per(budget.Period)} for the course.",
        (null, { } each) => $"Budget: {CourseBudget.Tokens(each)} {CourseBudget.Per(budget.Period)} for each learner.",
        ({ } course, { } each) => $"Budget: {CourseBudget.Tokens(course)} {CourseBudget.Per(budget.Period)} for the course, {each:N0} for each learner.",
    };

    private static string UsedText(CourseUsage usage) =>
        $"Used {CourseBudget.Describe(usage.Budget.Period)}: {CourseBudget.Tokens(usage.Used)}"
        + (usage.Left is { } left ? $" ({left:N0} left)" : "")
        + $". Renews {usage.RenewsAtUtc.ToString("ddd d MMM HH:mm", System.Globalization.CultureInfo.InvariantCulture)} UTC.";

    private string? LearnerUsedText(Guid courseId, string learnerId) =>
        _usage.TryGetValue(courseId, out var usage) && usage.Learners.FirstOrDefault(l => l.Learner.UserId == learnerId) is { Learner: not null } mine
            ? $"{CourseBudget.Tokens(mine.Used)} {CourseBudget.Describe(usage.Budget.Period)}" + (usage.Budget.LearnerTokens is { } each ? $" of {each:N0}" : "")
            : null;

    private static string Learners(int count) => count == 1 ? "1 learner" : $"{count} learners";

    internal static string PolicyText(TutorMode mode, DateTime? examStarts, DateTime? examEnds, string languages, string level, LeakGuardStrictness leakGuard)
    {
        var text = $"Tutor: {CoursePolicy.Describe(mode)}. Level: {level}." + (languages.Length > 0 ? $" Languages: {languages}." : "")
            + $" Solution-leak guard: {CoursePolicy.Describe(leakGuard)}.";
        return examStarts is { } start && examEnds is { } end
            ? text + $" Exam: tutor off from {start:yyyy-MM-dd HH:mm} to {end:yyyy-MM-dd HH:mm} UTC."
            : text;
    }
}
