using System.Globalization;
using CodeMentor.Core.Usage;

namespace CodeMentor.Web.Components.Pages.Admin;

/// <summary>The period in an admin page's address: ?period=today|7d|30d, or ?from=yyyy-MM-dd&amp;to=yyyy-MM-dd.</summary>
public static class AdminPeriod
{
    public const string Today = "today";
    public const string Week = "7d";
    public const string Month = "30d";
    public const string Custom = "custom";

    public static UsagePeriod Parse(string? period, string? from, string? to, TimeProvider time)
    {
        if (period == Custom && TryDate(from, out var start) && TryDate(to, out var end) && start <= end && end.DayNumber - start.DayNumber <= 366)
        {
            return new UsagePeriod(start, end);
        }
        return period switch
        {
            Today => UsagePeriod.Today(time),
            Month => UsagePeriod.LastDays(time, 30),
            _ => UsagePeriod.LastDays(time, 7),
        };
    }

    public static string Query(string period, UsagePeriod range) => period == Custom
        ? $"period=custom&from={range.From:yyyy-MM-dd}&to={range.To:yyyy-MM-dd}"
        : $"period={period}";

    private static bool TryDate(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
}
