namespace CodeMentor.Core.Courses;

/// <summary>How much the tutor may help in a course. The teacher sets it; learners see it and cannot change it.</summary>
public enum TutorMode
{
    /// <summary>Questions and hints only: never a solution or a complete piece of code to copy.</summary>
    HintsOnly,

    /// <summary>Explanations with small examples that are not the learner's task.</summary>
    SmallExamples,

    /// <summary>Everything the tutor does outside a course.</summary>
    FullHelp,

    /// <summary>No tutor at all (e.g. between exams).</summary>
    Off,
}

/// <summary>A course a teacher runs: its policy, and the code learners join it with.</summary>
public sealed class Course
{
    public const int MaxNameLength = 100;
    public const int MaxTextLength = 200;

    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string Languages { get; set; } = "";
    public string Level { get; set; } = "beginner";
    public TutorMode Mode { get; set; } = TutorMode.SmallExamples;

    /// <summary>An exam window (UTC): the tutor is off from its start until its end, whatever the mode.</summary>
    public DateTime? ExamStartsUtc { get; set; }

    public DateTime? ExamEndsUtc { get; set; }

    public LeakGuardStrictness LeakGuard { get; set; } = LeakGuardStrictness.Standard;

    /// <summary>The period the course's token budgets renew every (UTC).</summary>
    public BudgetPeriod BudgetPeriod { get; set; } = BudgetPeriod.Week;

    /// <summary>Tokens the whole course may use per <see cref="BudgetPeriod"/>; null: no course budget.</summary>
    public long? TokenBudget { get; set; }

    /// <summary>Tokens each learner may use per <see cref="BudgetPeriod"/> in this course; null: no cap per learner.</summary>
    public long? LearnerTokenBudget { get; set; }

    /// <summary>What learners type or follow (as a link) to join; unique, no look-alike characters.</summary>
    public string JoinCode { get; set; } = "";

    public DateTime CreatedAtUtc { get; set; }

    /// <summary>Bumped by every upload or removal of material, so each node reloads the course's embeddings.</summary>
    public int MaterialVersion { get; set; }

    public List<CourseMember> Members { get; set; } = [];
}

/// <summary>How much of an exercise's solution the tutor's replies (hints, feedback) may carry before the
/// solution-leak guard replaces them. The teacher sets it per course; outside a course it is <see cref="Standard"/>.</summary>
public enum LeakGuardStrictness
{
    /// <summary>The default: a correction of up to two lines, or a small piece, passes; most of the solution does not.</summary>
    Standard,

    /// <summary>Any code that carries a notable part of the solution is replaced, corrections of it included.</summary>
    Strict,

    /// <summary>Only a (nearly) complete solution is replaced; decisive pieces pass.</summary>
    Lenient,
}

/// <summary>How often a course's token budgets renew: each UTC day, each week from Monday 00:00 UTC, each calendar month.</summary>
public enum BudgetPeriod
{
    Day,
    Week,
    Month,
}

/// <summary>A course's token budgets: for the whole course and for each learner in it, per period. Tokens are
/// what the provider counted (prompt and reply) for the course's tutoring calls; cache hits cost none.</summary>
public sealed record CourseBudget(BudgetPeriod Period, long? CourseTokens, long? LearnerTokens)
{
    public bool Limits => CourseTokens is not null || LearnerTokens is not null;

    /// <summary>The period that contains <paramref name="nowUtc"/>: its start and the start of the next.</summary>
    public (DateTime Start, DateTime End) PeriodAt(DateTime nowUtc)
    {
        var day = DateTime.SpecifyKind(nowUtc.Date, DateTimeKind.Utc);
        var start = Period switch
        {
            BudgetPeriod.Day => day,
            BudgetPeriod.Week => day.AddDays(-(((int)day.DayOfWeek + 6) % 7)), // back to Monday
            _ => day.AddDays(1 - day.Day),
        };
        return (start, Period switch
        {
            BudgetPeriod.Day => start.AddDays(1),
            BudgetPeriod.Week => start.AddDays(7),
            _ => start.AddMonths(1),
        });
    }

    public static string Tokens(long count) => count == 1 ? "1 token" : $"{count:N0} tokens";

    public static string Describe(BudgetPeriod period) => period switch
    {
        BudgetPeriod.Day => "today",
        BudgetPeriod.Week => "this week",
        _ => "this month",
    };

    public static string Per(BudgetPeriod period) => period switch
    {
        BudgetPeriod.Day => "per day",
        BudgetPeriod.Week => "per week",
        _ => "per month",
    };
}

public enum CourseRole
{
    Learner,
    Teacher,
}

/// <summary>Someone in a course. <see cref="Working"/> marks the one course a learner works in now
/// (chat, review, exercises and concepts then follow its policy); at most one per user.</summary>
public sealed class CourseMember
{
    public Guid CourseId { get; set; }
    public Course? Course { get; set; }
    public string UserId { get; set; } = "";
    public CourseRole Role { get; set; }
    public bool Working { get; set; }
    public DateTime JoinedAtUtc { get; set; }
}

/// <summary>The policy of the course a learner works in, as every model call of theirs applies it.</summary>
public sealed record CoursePolicy(Guid CourseId, string CourseName, TutorMode Mode, string Languages, string Level,
    DateTime? ExamStartsUtc, DateTime? ExamEndsUtc, CourseBudget? Budget = null, LeakGuardStrictness LeakGuard = LeakGuardStrictness.Standard)
{
    /// <summary>The mode in force at <paramref name="nowUtc"/>: off during the exam window.</summary>
    public TutorMode ModeAt(DateTime nowUtc) => InExam(nowUtc) ? TutorMode.Off : Mode;

    public bool InExam(DateTime nowUtc) =>
        ExamStartsUtc is { } start && ExamEndsUtc is { } end && nowUtc >= start && nowUtc < end;

    /// <summary>Why the tutor does not answer at <paramref name="nowUtc"/>, for the learner; null when it does.</summary>
    public string? WhyOff(DateTime nowUtc) => ModeAt(nowUtc) != TutorMode.Off ? null
        : InExam(nowUtc)
            ? $"The tutor is off in your course \"{CourseName}\" during its exam, until {ExamEndsUtc:yyyy-MM-dd HH:mm} UTC."
            : $"Your teacher has turned the tutor off in your course \"{CourseName}\".";

    public static string Describe(LeakGuardStrictness strictness) => strictness switch
    {
        LeakGuardStrictness.Strict => "strict (no code that carries part of the solution)",
        LeakGuardStrictness.Lenient => "lenient (only a whole solution is held back)",
        _ => "standard (small corrections pass, most of a solution does not)",
    };

    public static string Describe(TutorMode mode) => mode switch
    {
        TutorMode.HintsOnly => "hints only",
        TutorMode.SmallExamples => "explanations with small examples",
        TutorMode.FullHelp => "full help",
        _ => "tutor off",
    };
}

/// <summary>Where a learner stands: the course they work in (if any) and every course they learn in.
/// An exam in any of them turns the tutor off for them, so switching or leaving courses cannot get
/// around it; the mode applies to work in the chosen course.</summary>
/// <remarks>Read by every model call from the cache: marked immutable (and it is: records of values, never changed
/// after they are read), so the cache hands out the instance it holds instead of a deserialized copy each time.</remarks>
[System.ComponentModel.ImmutableObject(true)]
public sealed record CourseStanding(CoursePolicy? Working, IReadOnlyList<CoursePolicy> Learning)
{
    public static readonly CourseStanding None = new(null, []);

    public string? WhyOff(DateTime nowUtc) =>
        Learning.FirstOrDefault(c => c.InExam(nowUtc))?.WhyOff(nowUtc) ?? Working?.WhyOff(nowUtc);
}
