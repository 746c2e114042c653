using CodeMentor.Core.Prompts;
using Microsoft.Extensions.AI;

namespace CodeMentor.Core.Tutoring;

public sealed record ConceptStarted(Guid? ConversationId, GenerationRun? Run, string? Error, TimeSpan? RetryAfter = null);

/// <summary>"Explain X" at the learner's level, streamed into a conversation of its own.</summary>
public sealed class ConceptService(ConversationStore store, ConversationService conversations, LearnerProfiles profiles)
{
    public async Task<ConceptStarted> ExplainAsync(string userId, string concept, string? language, CancellationToken ct = default)
    {
        concept = concept?.Trim() ?? "";
        var learner = (await profiles.GetAsync(userId, ct)).ToContext();
        var args = new ConceptArgs(concept, learner, string.IsNullOrWhiteSpace(language) ? null : language.Trim());
        if (args.Language is { } chosen && !Reviews.LanguageDetector.Languages.Contains(chosen, StringComparer.OrdinalIgnoreCase))
        {
            return new ConceptStarted(null, null, $"Choose the language for the examples from the list ({string.Join(", ", Reviews.LanguageDetector.Languages)}).");
        }
        var errors = ConceptPrompt.Instance.Validate(args);
        if (errors.Count > 0)
        {
            return new ConceptStarted(null, null, TemplateErrors.Describe(errors));
        }
        var oneLine = string.Join(' ', concept.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        var title = "Explain: " + TextLimits.Shorten(oneLine, 100);
        var id = await store.CreateAsync(userId, ConversationKind.Concept, opening: null, title, ct);
        var sent = await conversations.SendWithPromptAsync(userId, id, $"Explain: {oneLine}",
            [new(ChatRole.System, ConceptPrompt.System(learner)), new(ChatRole.User, ConceptPrompt.Instance.Render(args))],
            ConceptPrompt.Instance.Feature, ct);
        return new ConceptStarted(id, sent.Run, sent.Error, sent.RetryAfter);
    }
}
