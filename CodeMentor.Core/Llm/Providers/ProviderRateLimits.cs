using System.Globalization;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace CodeMentor.Core.Llm.Providers;

/// <summary>The organisation-wide limits a provider reports in x-ratelimit-* headers.
/// Requests are counted per day, tokens per minute (Groq's convention).</summary>
public sealed partial record ProviderRateLimits(
    long? RequestLimit, long? RequestsRemaining, TimeSpan? RequestsReset,
    long? TokenLimit, long? TokensRemaining, TimeSpan? TokensReset)
{
    public const string PropertyName = "codementor.provider_rate_limits";

    public static ProviderRateLimits? FromHeaders(HttpResponseHeaders headers)
    {
        var limits = new ProviderRateLimits(
            Long(headers, "x-ratelimit-limit-requests"), Long(headers, "x-ratelimit-remaining-requests"),
            Duration(headers, "x-ratelimit-reset-requests"),
            Long(headers, "x-ratelimit-limit-tokens"), Long(headers, "x-ratelimit-remaining-tokens"),
            Duration(headers, "x-ratelimit-reset-tokens"));
        return limits == Empty ? null : limits;
    }

    private static readonly ProviderRateLimits Empty = new(null, null, null, null, null, null);

    /// <summary>Parses Go-style durations as Groq sends them: "7.66s", "2m59.56s", "940ms", "1h2m".</summary>
    public static TimeSpan? ParseGoDuration(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        // Read from spans: every provider response carries two of these, and a match per part allocated on each.
        var trimmed = text.AsSpan().Trim();
        double ms = 0;
        var covered = 0;
        foreach (var match in DurationPart().EnumerateMatches(trimmed))
        {
            var part = trimmed.Slice(match.Index, match.Length);
            var unit = part.IndexOfAnyExcept("0123456789.");
            var value = double.Parse(part[..unit], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            ms += part[unit..] switch
            {
                "h" => value * 3_600_000,
                "m" => value * 60_000,
                "s" => value * 1000,
                "ms" => value,
                "us" or "µs" => value / 1000,
                "ns" => value / 1_000_000,
                _ => 0,
            };
            covered += match.Length;
        }
        if (covered == 0 || covered != trimmed.Length)
        {
            return null;
        }
        return TimeSpan.FromMilliseconds(ms);
    }

    private static long? Long(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static TimeSpan? Duration(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? ParseGoDuration(values.FirstOrDefault()) : null;

    [GeneratedRegex(@"([0-9]+(?:\.[0-9]+)?)(ms|us|µs|ns|h|m|s)")]
    private static partial Regex DurationPart();
}
