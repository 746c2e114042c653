using CodeMentor.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CodeMentor.Core.Tutoring;

/// <summary>Reads and saves learner profiles; always scoped to the given user.</summary>
public sealed class LearnerProfiles(IDbContextFactory<AppDbContext> db, TimeProvider time)
{
    public async Task<LearnerProfile> GetAsync(string userId, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        return await context.LearnerProfiles.AsNoTracking().SingleOrDefaultAsync(p => p.UserId == userId, ct)
            ?? new LearnerProfile { UserId = userId };
    }

    /// <returns>A message for the learner when something is not acceptable, else null.</returns>
    public async Task<string?> SaveAsync(string userId, LearnerProfile profile, CancellationToken ct = default)
    {
        if (!LearnerProfile.Levels.Contains(profile.Level))
        {
            return $"Level must be one of {string.Join(", ", LearnerProfile.Levels)}.";
        }
        foreach (var (name, value) in new[] { ("Languages", profile.Languages), ("Goals", profile.Goals), ("Interests", profile.Interests), ("Preferred style", profile.PreferredStyle) })
        {
            if ((value?.Length ?? 0) > LearnerProfile.MaxFieldLength)
            {
                return $"{name} is {value!.Length:N0} characters; the limit is {LearnerProfile.MaxFieldLength}.";
            }
        }
        if ((profile.Name?.Length ?? 0) > 100)
        {
            return "The name is longer than 100 characters.";
        }
        await using var context = await db.CreateDbContextAsync(ct);
        var existing = await context.LearnerProfiles.SingleOrDefaultAsync(p => p.UserId == userId, ct);
        if (existing is null)
        {
            existing = new LearnerProfile { UserId = userId };
            context.LearnerProfiles.Add(existing);
        }
        existing.Name = profile.Name?.Trim();
        existing.Languages = profile.Languages?.Trim() ?? "";
        existing.Level = profile.Level;
        existing.Goals = profile.Goals?.Trim() ?? "";
        existing.Interests = profile.Interests?.Trim() ?? "";
        existing.PreferredStyle = profile.PreferredStyle?.Trim() ?? "";
        existing.OnboardingCompleted = existing.OnboardingCompleted || profile.OnboardingCompleted;
        existing.UpdatedAtUtc = time.GetUtcNow().UtcDateTime;
        await context.SaveChangesAsync(ct);
        return null;
    }
}
