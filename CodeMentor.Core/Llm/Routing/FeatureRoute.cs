namespace CodeMentor.Core.Llm.Routing;

/// <summary>How one feature (chat, review, hint, …) is served. Everything is optional: what is
/// not set comes from the global settings.</summary>
public sealed class FeatureRoute
{
    /// <summary>The Groq model for this feature (other providers use their own configured model).</summary>
    public string? Model { get; set; }

    /// <summary>gpt-oss reasoning effort: low, medium, high.</summary>
    public string? ReasoningEffort { get; set; }

    public double? Temperature { get; set; }
    public int? MaxOutputTokens { get; set; }

    /// <summary>Providers to try in order, e.g. ["groq", "openai"]. Empty: primary then fallback.</summary>
    public List<string> Providers { get; set; } = [];
}

public static class Features
{
    public const string Chat = "chat";
    public const string Review = "review";
    public const string Exercise = "exercise";
    public const string Hint = "hint";
    public const string Feedback = "feedback";
    public const string Onboarding = "onboarding";
    public const string Concept = "concept";
    public const string Insight = "insight";

    public static readonly IReadOnlyList<string> All = [Chat, Review, Exercise, Hint, Feedback, Onboarding, Concept, Insight];

    /// <summary>Tutoring a learner does in their course: its policy and budgets apply. Onboarding and admin insights are not.</summary>
    public static readonly IReadOnlySet<string> CourseWork = new HashSet<string> { Chat, Review, Exercise, Hint, Feedback, Concept };

    /// <summary>Features that default to the larger model when GROQ_MODEL is not set.</summary>
    public static readonly IReadOnlyList<string> Heavy = [Review, Exercise, Insight];

    public const string LargeDefaultModel = "openai/gpt-oss-120b";

    /// <summary>
    /// Fills in each feature's model: the route's own Model when configured; otherwise GROQ_MODEL when
    /// it is set (a documented variable wins over a default); otherwise the built-in default
    /// (gpt-oss-120b for reviews, exercises and insights, gpt-oss-20b for the rest).
    /// </summary>
    public static void ApplyModels(LlmOptions options, bool groqModelConfigured)
    {
        foreach (var feature in All)
        {
            if (!options.Routing.TryGetValue(feature, out var route))
            {
                options.Routing[feature] = route = new FeatureRoute();
            }
            route.Model ??= groqModelConfigured ? options.Groq.Model
                : Heavy.Contains(feature) ? LargeDefaultModel : GroqOptions.DefaultModel;
        }
    }
}
