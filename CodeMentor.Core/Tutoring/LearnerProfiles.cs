using CodeMentor.Core.Prompts;
using CodeMentor.Core.Data;
using CodeMentor.Core.SharedState;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;

namespace CodeMentor.Core.Tutoring;

/// <summary>Reads and saves learner profiles; always scoped to the given user. Every prompt reads
/// the profile, so it is kept in the cache (and removed from it when saved).</summary>
public sealed class LearnerProfiles(IDbContextFactory<AppDbContext> db, HybridCache cache, SharedStateMode sharedState, TimeProvider time)
{
    private readonly HybridCacheEntryOptions _entry = new()
    {
        Expiration = TimeSpan.FromMinutes(30), LocalCacheExpiration = sharedState.LocalCacheFor(TimeSpan.FromMinutes(30)),
    };

    private static string Key(string userId) => "codementor:profile:" + userId;

    public async Task<LearnerProfile> GetAsync(string userId, CancellationToken ct = default) =>
        await cache.GetOrCreateAsync(Key(userId), async token =>
        {
            await using var context = await db.CreateDbContextAsync(token);
            return await context.LearnerProfiles.AsNoTracking().SingleOrDefaultAsync(p => p.UserId == userId, token)
                ?? new LearnerProfile { UserId = userId };
        }, _entry, cancellationToken: ct);

    /// <summary>Each field, its learner-facing name, its limit, and whether it must fit on one line.</summary>
    private static readonly (string Label, Func<LearnerProfile, string?> Value, int Limit, bool OneLine)[] Fields =
    [
        ("Name", p => p.Name, LearnerLimits.Name, true),
        ("Languages", p => p.Languages, LearnerLimits.Languages, true),
        ("Goals", p => p.Goals, LearnerLimits.Goals, false),
        ("Interests", p => p.Interests, LearnerLimits.Interests, true),
        ("How you like explanations", p => p.PreferredStyle, LearnerLimits.PreferredStyle, false),
    ];

    /// <returns>A message for the learner when something is not acceptable, else null.</returns>
    public async Task<string?> SaveAsync(string userId, LearnerProfile profile, CancellationToken ct = default)
    {
        if (!LearnerProfile.Levels.Contains(profile.Level))
        {
            return $"Level must be one of {string.Join(", ", LearnerProfile.Levels)}.";
        }
        foreach (var (label, value, limit, _) in Fields)
        {
            if (TextLimits.TooLong(label, value(profile)?.Trim(), limit) is { } tooLong)
            {
                return tooLong + " Shorten it; nothing was saved.";
            }
        }
        await using var context = await db.CreateDbContextAsync(ct);
        var existing = await context.LearnerProfiles.SingleOrDefaultAsync(p => p.UserId == userId, ct);
        if (existing is null)
        {
            existing = new LearnerProfile { UserId = userId };
            context.LearnerProfiles.Add(existing);
        }
        existing.Name = NullIfBlank(OneLine(profile.Name));
        existing.Languages = OneLine(profile.Languages);
        existing.Level = profile.Level;
        existing.Goals = profile.Goals?.Trim() ?? "";
        existing.Interests = OneLine(profile.Interests);
        existing.PreferredStyle = profile.PreferredStyle?.Trim() ?? "";
        existing.OnboardingCompleted = existing.OnboardingCompleted || profile.OnboardingCompleted;
        existing.UpdatedAtUtc = time.GetUtcNow().UtcDateTime;
        await context.SaveChangesAsync(ct);
        await cache.RemoveAsync(Key(userId), ct);
        return null;
    }

    /// <summary>Names and short lists are one line: line breaks become spaces.</summary>
    private static string OneLine(string? text) =>
        string.Join(' ', (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static string? NullIfBlank(string text) => text.Length == 0 ? null : text;
}
