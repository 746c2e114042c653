using System.Globalization;

namespace CodeMentor.Core.Usage;

/// <summary>The one way money is written anywhere (pages, insights, the summary prompt's figures): USD
/// with cents, up to four decimals when they matter ($0.50, $0.5048, $12.30), sub-cent model costs
/// with up to six ($0.000123), and "no price" when the model's price is unknown.</summary>
public static class Money
{
    /// <summary>Costs are stored as integer pico-dollars (1e-12 USD): exact for per-token prices,
    /// and summable in SQLite, which has no decimal type. Converted here and nowhere else.</summary>
    public const decimal PicoPerUsd = 1_000_000_000_000m;

    public static decimal FromPico(long pico) => pico / PicoPerUsd;

    public static decimal? FromPico(long? pico) => pico is { } value ? value / PicoPerUsd : null;

    public static long ToPico(decimal usd) => (long)decimal.Round(usd * PicoPerUsd);

    public static long? ToPico(decimal? usd) => usd is { } value ? ToPico(value) : null;

    public static string Format(decimal? usd) => usd switch
    {
        null => "no price",
        0m => "$0",
        < 0.01m and > -0.01m => (usd < 0 ? "-$" : "$") + Math.Abs(usd.Value).ToString("0.######", CultureInfo.InvariantCulture),
        _ => usd.Value.ToString("$#,##0.00##;-$#,##0.00##", CultureInfo.InvariantCulture),
    };
}
