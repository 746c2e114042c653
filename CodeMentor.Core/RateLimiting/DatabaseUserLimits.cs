using System.Collections.Concurrent;
using CodeMentor.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CodeMentor.Core.RateLimiting;

/// <summary>
/// A user's limits: an admin's override where there is one, else the configured defaults. Kept in
/// memory after the first look-up (a per-request query would sit on every model call) and
/// forgotten when an admin changes them, so a change applies from the user's next request.
/// </summary>
public sealed class DatabaseUserLimits(IDbContextFactory<AppDbContext> db, IOptionsMonitor<RateLimitOptions> defaults, TimeProvider time)
    : IUserLimitsSource
{
    private readonly ConcurrentDictionary<string, UserLimitOverride?> _overrides = new();

    public async ValueTask<UserLimits> GetAsync(string userId, CancellationToken cancellationToken = default)
    {
        if (!_overrides.TryGetValue(userId, out var custom))
        {
            await using var context = await db.CreateDbContextAsync(cancellationToken);
            custom = await context.UserLimits.AsNoTracking().SingleOrDefaultAsync(l => l.UserId == userId, cancellationToken);
            _overrides[userId] = custom;
        }
        var d = defaults.CurrentValue;
        return new UserLimits(
            custom?.RequestsPerMinute ?? d.RequestsPerMinute,
            custom?.RequestsPerDay ?? d.RequestsPerDay,
            custom?.DailyTokenBudget ?? d.DailyTokenBudget);
    }

    public UserLimits Defaults
    {
        get
        {
            var d = defaults.CurrentValue;
            return new UserLimits(d.RequestsPerMinute, d.RequestsPerDay, d.DailyTokenBudget);
        }
    }

    public async Task<UserLimitOverride?> GetOverrideAsync(string userId, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        return await context.UserLimits.AsNoTracking().SingleOrDefaultAsync(l => l.UserId == userId, ct);
    }

    /// <summary>Sets a user's limits; null fields use the defaults. All null removes the override.</summary>
    public async Task SetAsync(string userId, int? perMinute, int? perDay, int? tokenBudget, CancellationToken ct = default)
    {
        if (perMinute is <= 0 || perDay is <= 0 || tokenBudget is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(perMinute), "Limits must be positive numbers.");
        }
        await using var context = await db.CreateDbContextAsync(ct);
        var existing = await context.UserLimits.SingleOrDefaultAsync(l => l.UserId == userId, ct);
        if (perMinute is null && perDay is null && tokenBudget is null)
        {
            if (existing is not null)
            {
                context.UserLimits.Remove(existing);
            }
        }
        else
        {
            existing ??= context.UserLimits.Add(new UserLimitOverride { UserId = userId }).Entity;
            existing.RequestsPerMinute = perMinute;
            existing.RequestsPerDay = perDay;
            existing.DailyTokenBudget = tokenBudget;
            existing.UpdatedAtUtc = time.GetUtcNow().UtcDateTime;
        }
        await context.SaveChangesAsync(ct);
        _overrides.TryRemove(userId, out _);
    }

    public Task ResetAsync(string userId, CancellationToken ct = default) => SetAsync(userId, null, null, null, ct);
}
