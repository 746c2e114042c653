using System.Globalization;

namespace CodeMentor.Web.Components.Shared;

internal static class Money
{
    /// <summary>USD with enough digits for sub-cent model costs: $0.000123, $1.25; "no price" when unknown.</summary>
    public static string Format(decimal? usd) => usd switch
    {
        null => "no price",
        0m => "$0",
        < 0.01m => "$" + usd.Value.ToString("0.######", CultureInfo.InvariantCulture),
        _ => usd.Value.ToString("$#,##0.00##", CultureInfo.InvariantCulture),
    };
}
