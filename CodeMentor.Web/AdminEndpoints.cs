using System.Globalization;
using CodeMentor.Core.Accounts;
using CodeMentor.Core.Usage;
using CodeMentor.Web.Components.Pages.Admin;

namespace CodeMentor.Web;

internal static class AdminEndpoints
{
    /// <summary>CSV of exactly the rows the ledger explorer's filter selects. Admins only.</summary>
    public static void MapAdminEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/admin/ledger.csv", async (HttpContext http, UsageQueries queries, TimeProvider time,
            string? from, string? to, string? user, string? feature, string? model, string? outcome, string? sort) =>
        {
            var period = AdminPeriod.Parse(AdminPeriod.Custom, from, to, time);
            var filter = new LedgerFilter(period, Blank(user), Blank(feature), Blank(model), Blank(outcome),
                Enum.TryParse<LedgerSort>(sort, ignoreCase: true, out var order) ? order : LedgerSort.Newest);
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition =
                $"attachment; filename=\"codementor-ledger-{period.From.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}-{period.To.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}.csv\"";
            await using var writer = new StreamWriter(http.Response.Body, new System.Text.UTF8Encoding(false));
            await queries.WriteCsvAsync(filter, writer, http.RequestAborted);
        }).RequireAuthorization(policy => policy.RequireRole(Roles.Admin));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
