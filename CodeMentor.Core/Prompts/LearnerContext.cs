namespace CodeMentor.Core.Prompts;

/// <summary>What the tutor knows about the learner, as every template receives it.</summary>
public sealed record LearnerContext(string? Name = null, string Level = "beginner", string? Goals = null, string? PreferredStyle = null,
    string? Languages = null, string? Interests = null);

/// <summary>The longest value of each learner-typed field. One source of truth: the profile page,
/// the profile service and every template use these, so a value the page accepts always fits a prompt.</summary>
public static class LearnerLimits
{
    public const int Name = 100;
    public const int Languages = 200;
    public const int Goals = 500;
    public const int Interests = 300;
    public const int PreferredStyle = 200;
    public const int Level = 40;
}
