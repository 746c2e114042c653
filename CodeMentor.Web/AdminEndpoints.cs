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
        endpoints.MapGet("/" + LedgerExportLink.Path, async (HttpContext http, UsageQueries queries, TimeProvider time,
            [AsParameters] LedgerExportLink link) =>
        {
            var filter = link.ToFilter(time);
            var period = filter.Period;
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition =
                $"attachment; filename=\"codementor-ledger-{period.From.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}-{period.To.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}.csv\"";
            await using var writer = new StreamWriter(http.Response.Body, new System.Text.UTF8Encoding(false));
            await queries.WriteCsvAsync(filter, writer, http.RequestAborted);
        }).RequireAuthorization(policy => policy.RequireRole(Roles.Admin));
    }
}
