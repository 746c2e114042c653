namespace CodeMentor.Core.Prompts;

/// <summary>One parameter a template takes, with the limits checked before any model call.</summary>
public sealed record TemplateParameter(string Name, string? Value, bool Required, int MaxLength);

/// <summary>A typed prompt template: declares its parameters (so they are validated before a
/// model call) and the feature it serves (for routing and the ledger).</summary>
public abstract class PromptTemplate<TArgs>
{
    public abstract string Name { get; }

    /// <summary>The ledger and routing feature: chat, review, exercise, hint, feedback, onboarding, concept, insight.</summary>
    public abstract string Feature { get; }

    public abstract IEnumerable<TemplateParameter> Parameters(TArgs args);

    protected abstract string RenderCore(TArgs args);

    public string Render(TArgs args)
    {
        var errors = Validate(args);
        if (errors.Count > 0)
        {
            throw new PromptValidationException(Name, errors);
        }
        return RenderCore(args).Trim();
    }

    public IReadOnlyList<string> Validate(TArgs args)
    {
        var errors = new List<string>();
        foreach (var p in Parameters(args))
        {
            if (p.Required && string.IsNullOrWhiteSpace(p.Value))
            {
                errors.Add($"{p.Name} is required.");
            }
            else if (Tutoring.TextLimits.TooLong(p.Name, p.Value, p.MaxLength) is { } tooLong)
            {
                errors.Add(tooLong);
            }
        }
        return errors;
    }
}

internal sealed class PromptValidationException(string template, IReadOnlyList<string> errors)
    : Exception($"The {template} prompt cannot be built: {string.Join(" ", errors)}")
{
    public string Template { get; } = template;
    public IReadOnlyList<string> Errors { get; } = errors;

    /// <summary>What the learner should change, e.g. "the explanation style in your profile is 250 characters; …".</summary>
    public string LearnerMessage => TemplateErrors.Describe(Errors);
}

internal static class TemplateErrors
{
    /// <summary>Template errors as one message for the learner, pointing at the profile page when a profile field is at fault.</summary>
    public static string Describe(IReadOnlyList<string> errors)
    {
        var text = string.Join(" ", errors.Select(e => char.ToUpperInvariant(e[0]) + e[1..]));
        return errors.Any(e => e.Contains("in your profile", StringComparison.Ordinal))
            ? $"{text} Shorten it on your profile page; nothing was sent."
            : $"{text} Nothing was sent.";
    }
}
