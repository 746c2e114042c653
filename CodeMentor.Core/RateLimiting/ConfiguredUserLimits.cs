using Microsoft.Extensions.Options;

namespace CodeMentor.Core.RateLimiting;

/// <summary>Every user gets the configured defaults.</summary>
public sealed class ConfiguredUserLimits(IOptionsMonitor<RateLimitOptions> options) : IUserLimitsSource
{
    public ValueTask<UserLimits> GetAsync(string userId, CancellationToken cancellationToken = default)
    {
        var o = options.CurrentValue;
        return ValueTask.FromResult(new UserLimits(o.RequestsPerMinute, o.RequestsPerDay, o.DailyTokenBudget));
    }
}
