using System.Globalization;
using CodeMentor.Core.Usage;

namespace CodeMentor.Web.Components.Pages.Admin;

/// <summary>The ledger explorer's filter as the CSV export's address: the query's names, written by
/// the page and read by the endpoint, in this one place.</summary>
public sealed record LedgerExportLink(string? From, string? To, string? User, string? Feature, string? Model, string? Outcome, string? Sort)
{
    public const string Path = "admin/ledger.csv";

    public static string For(LedgerFilter filter)
    {
        var query = new Dictionary<string, string?>
        {
            ["from"] = filter.Period.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["to"] = filter.Period.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["user"] = filter.UserId, ["feature"] = filter.Feature, ["model"] = filter.Model, ["outcome"] = filter.Outcome,
            ["sort"] = filter.Sort.ToString(),
        };
        return Path + "?" + string.Join("&", query.Where(q => q.Value is not null).Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value!)}"));
    }

    public LedgerFilter ToFilter(TimeProvider time) => new(AdminPeriod.Parse(AdminPeriod.Custom, From, To, time),
        Blank(User), Blank(Feature), Blank(Model), Blank(Outcome), Enum.TryParse<LedgerSort>(Sort, ignoreCase: true, out var order) ? order : LedgerSort.Newest);

    internal static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
