namespace CodeMentor.Core.Tutoring;

/// <summary>What the tutor knows about a learner, from the onboarding interview or the profile page.
/// Every prompt template uses it (difficulty, hint depth, tone).</summary>
public sealed class LearnerProfile
{
    /// <summary>Column size; each field's own limit is in <see cref="Prompts.LearnerLimits"/>.</summary>
    public const int MaxFieldLength = 500;

    public string UserId { get; set; } = "";
    public string? Name { get; set; }
    public string Languages { get; set; } = "";
    public string Level { get; set; } = "beginner";
    public string Goals { get; set; } = "";
    public string Interests { get; set; } = "";
    public string PreferredStyle { get; set; } = "";
    public bool OnboardingCompleted { get; set; }
    public DateTime UpdatedAtUtc { get; set; }

    public static readonly IReadOnlyList<string> Levels = ["beginner", "intermediate", "advanced"];

    public Prompts.LearnerContext ToContext() => new(
        NullIfBlank(Name),
        string.IsNullOrWhiteSpace(Level) ? "beginner" : Level,
        NullIfBlank(Goals),
        NullIfBlank(PreferredStyle),
        NullIfBlank(Languages),
        NullIfBlank(Interests));

    private static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
