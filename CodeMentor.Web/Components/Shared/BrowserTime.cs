namespace CodeMentor.Web.Components.Shared;

/// <summary>The learner's time zone, as the browser reports it (cascaded by MainLayout); UTC until it is known.</summary>
public sealed record BrowserTime(TimeZoneInfo Zone)
{
    public static readonly BrowserTime Utc = new(TimeZoneInfo.Utc);

    public static BrowserTime From(string? ianaId) =>
        ianaId is { Length: > 0 } && TimeZoneInfo.TryFindSystemTimeZoneById(ianaId, out var zone) ? new BrowserTime(zone) : Utc;

    public DateTime ToLocal(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Zone);

    /// <summary>"14:05" today, "Mon 14:05" this week, "3 Nov 14:05" this year, else "3 Nov 2025".</summary>
    public string Short(DateTime utc, DateTime nowUtc)
    {
        var local = ToLocal(utc);
        var today = ToLocal(nowUtc).Date;
        return local.Date == today ? local.ToString("HH:mm")
            : local.Date > today.AddDays(-7) ? local.ToString("ddd HH:mm")
            : local.Year == today.Year ? local.ToString("d MMM HH:mm")
            : local.ToString("d MMM yyyy");
    }

    /// <summary>The heading a conversation list groups this time under.</summary>
    public string Group(DateTime utc, DateTime nowUtc)
    {
        var day = ToLocal(utc).Date;
        var today = ToLocal(nowUtc).Date;
        return day >= today ? "Today"
            : day == today.AddDays(-1) ? "Yesterday"
            : day > today.AddDays(-7) ? "Previous 7 days"
            : day > today.AddDays(-30) ? "Previous 30 days"
            : day.Year == today.Year ? day.ToString("MMMM")
            : day.ToString("yyyy");
    }
}
