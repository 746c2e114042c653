namespace CodeMentor.Core.Tutoring;

public enum ExerciseStatus
{
    Open = 0,
    Solved = 1,
    GaveUp = 2,
}

/// <summary>A generated exercise. The reference solution never leaves the server until the learner
/// solves the exercise or gives up.</summary>
public sealed class Exercise
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public required string UserId { get; set; }

    /// <summary>The course the learner worked in when the exercise was made: its teachers see its totals, never the exercise.</summary>
    public Guid? CourseId { get; set; }
    public string Language { get; set; } = "";
    public string Level { get; set; } = "";
    public string Interests { get; set; } = "";
    public string Difficulty { get; set; } = "";
    public string Title { get; set; } = "";
    public string Statement { get; set; } = "";
    public string StarterCode { get; set; } = "";

    /// <summary>JSON array of {input, output}.</summary>
    public string ExamplesJson { get; set; } = "[]";

    public string ReferenceSolution { get; set; } = "";
    public ExerciseStatus Status { get; set; }
    public int HintsGiven { get; set; }
    public string CurrentCode { get; set; } = "";
    public DateTime CreatedAtUtc { get; set; }
    public List<ExerciseAttempt> Attempts { get; set; } = [];
}

public enum AttemptKind
{
    Hint = 0,
    Feedback = 1,
}

/// <summary>A hint asked for or an attempt submitted, with the tutor's reply.</summary>
public sealed class ExerciseAttempt
{
    public long Id { get; set; }
    public Guid ExerciseId { get; set; }
    public AttemptKind Kind { get; set; }
    public string Code { get; set; } = "";
    public string Reply { get; set; } = "";
    public bool Solved { get; set; }

    /// <summary>True when the leak guard replaced the model's reply because it gave the solution away.</summary>
    public bool Guarded { get; set; }

    public DateTime CreatedAtUtc { get; set; }
}
