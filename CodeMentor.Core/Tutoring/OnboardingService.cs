using System.Text.Json;
using CodeMentor.Core.Data;
using CodeMentor.Core.Prompts;
using Microsoft.EntityFrameworkCore;

namespace CodeMentor.Core.Tutoring;

/// <summary>The onboarding interview: a conversation of its own kind whose last reply, once the
/// interviewer has enough, carries a profile block that is saved to the learner's profile.</summary>
public sealed class OnboardingService(IDbContextFactory<AppDbContext> db, ConversationStore store, LearnerProfiles profiles)
{
    public const string Opening =
        "Welcome to CodeMentor! A few quick questions so I can pitch things right for you. Which programming languages do you know, or want to learn?";

    /// <summary>The learner's interview (started if there is none yet).</summary>
    public async Task<Guid> GetOrStartAsync(string userId, CancellationToken ct = default)
    {
        var existing = (await store.ListAsync(userId, ConversationKind.Onboarding, ct)).FirstOrDefault();
        return existing?.Id ?? await store.CreateAsync(userId, ConversationKind.Onboarding, Opening, "Onboarding interview", ct);
    }

    /// <summary>Saves the profile block of the interview's latest reply, if it has one.</summary>
    /// <returns>The saved profile, or null when the interview is not finished.</returns>
    public async Task<LearnerProfile?> TryCompleteAsync(string userId, Guid conversationId, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var owned = await context.Conversations.AnyAsync(c => c.Id == conversationId && c.UserId == userId && c.Kind == ConversationKind.Onboarding, ct);
        if (!owned)
        {
            return null;
        }
        var last = await context.Messages.AsNoTracking().Where(m => m.ConversationId == conversationId && m.Role == MessageRole.Assistant
                && m.Status == MessageStatus.Complete).OrderByDescending(m => m.Id).Select(m => m.Content).FirstOrDefaultAsync(ct);
        if (last is null || ParseProfile(last) is not { } parsed)
        {
            return null;
        }
        var current = await profiles.GetAsync(userId, ct);
        var profile = new LearnerProfile
        {
            UserId = userId, Name = current.Name,
            Languages = Limit(parsed.GetValueOrDefault("languages"), LearnerLimits.Languages), Goals = Limit(parsed.GetValueOrDefault("goals"), LearnerLimits.Goals),
            Interests = Limit(parsed.GetValueOrDefault("interests"), LearnerLimits.Interests),
            PreferredStyle = Limit(parsed.GetValueOrDefault("preferredStyle"), LearnerLimits.PreferredStyle),
            Level = LearnerProfile.Levels.FirstOrDefault(l => string.Equals(l, parsed.GetValueOrDefault("level")?.Trim(), StringComparison.OrdinalIgnoreCase)) ?? current.Level,
            OnboardingCompleted = true,
        };
        return await profiles.SaveAsync(userId, profile, ct) is null ? await profiles.GetAsync(userId, ct) : null;
    }

    internal static Dictionary<string, string>? ParseProfile(string reply)
    {
        var start = reply.IndexOf(OnboardingPrompt.ProfileFence, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }
        var body = reply[(start + OnboardingPrompt.ProfileFence.Length)..];
        var end = body.IndexOf("```", StringComparison.Ordinal);
        if (end < 0)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(body[..end])?
                .Where(p => p.Value.ValueKind == JsonValueKind.String)
                .ToDictionary(p => p.Key, p => p.Value.GetString()!, StringComparer.OrdinalIgnoreCase);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The interviewer's summary is cut to the profile's limits (the learner can edit it on the profile page).</summary>
    private static string Limit(string? text, int limit) =>
        text is null ? "" : text.Trim().Length <= limit ? text.Trim() : text.Trim()[..limit].TrimEnd();
}
