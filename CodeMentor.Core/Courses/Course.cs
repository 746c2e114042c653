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

    /// <summary>What learners type or follow (as a link) to join; unique, no look-alike characters.</summary>
    public string JoinCode { get; set; } = "";

    public DateTime CreatedAtUtc { get; set; }
    public List<CourseMember> Members { get; set; } = [];
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
    DateTime? ExamStartsUtc, DateTime? ExamEndsUtc)
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
public sealed record CourseStanding(CoursePolicy? Working, IReadOnlyList<CoursePolicy> Learning)
{
    public static readonly CourseStanding None = new(null, []);

    public string? WhyOff(DateTime nowUtc) =>
        Learning.FirstOrDefault(c => c.InExam(nowUtc))?.WhyOff(nowUtc) ?? Working?.WhyOff(nowUtc);
}
