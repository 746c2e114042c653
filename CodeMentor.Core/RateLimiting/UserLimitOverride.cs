namespace CodeMentor.Core.RateLimiting;

/// <summary>An admin's limits for one user; a null field falls back to the default.</summary>
public sealed class UserLimitOverride
{
    public string UserId { get; set; } = "";
    public int? RequestsPerMinute { get; set; }
    public int? RequestsPerDay { get; set; }
    public int? DailyTokenBudget { get; set; }
    public DateTime UpdatedAtUtc { get; set; }
}
