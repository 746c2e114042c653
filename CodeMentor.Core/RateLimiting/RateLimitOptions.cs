namespace CodeMentor.Core.RateLimiting;

/// <summary>Default per-user limits ("RateLimits" section; GROQ_RATE_LIMIT_RPM / GROQ_RATE_LIMIT_RPD).</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    public int RequestsPerMinute { get; set; } = 30;
    public int RequestsPerDay { get; set; } = 14400;

    /// <summary>Optional daily token budget per user (input + output); null or 0 means none.</summary>
    public int? DailyTokenBudget { get; set; }
}

/// <summary>The limits that apply to one user.</summary>
public sealed record UserLimits(int RequestsPerMinute, int RequestsPerDay, int? DailyTokenBudget);

/// <summary>Where a user's limits come from: the defaults, or an admin's override for that user.</summary>
public interface IUserLimitsSource
{
    ValueTask<UserLimits> GetAsync(string userId, CancellationToken cancellationToken = default);
}
