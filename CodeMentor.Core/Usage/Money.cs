using System.Globalization;

namespace CodeMentor.Core.Usage;

/// <summary>The one way money is written anywhere (pages, insights, the summary prompt's figures): USD
/// with cents, up to four decimals when they matter ($0.50, $0.5048, $12.30), sub-cent model costs
/// with up to six ($0.000123), and "no price" when the model's price is unknown.</summary>
public static class Money
{
    public static string Format(decimal? usd) => usd switch
    {
        null => "no price",
        0m => "$0",
        < 0.01m and > -0.01m => (usd < 0 ? "-$" : "$") + Math.Abs(usd.Value).ToString("0.######", CultureInfo.InvariantCulture),
        _ => usd.Value.ToString("$#,##0.00##;-$#,##0.00##", CultureInfo.InvariantCulture),
    };
}
