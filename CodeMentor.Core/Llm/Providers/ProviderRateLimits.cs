using System.Globalization;
using System.Net.Http.Headers;

namespace CodeMentor.Core.Llm.Providers;

/// <summary>The organisation-wide limits a provider reports in x-ratelimit-* headers.
/// Requests are counted per day, tokens per minute (Groq's convention).</summary>
public sealed record ProviderRateLimits(
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

    /// <summary>Parses Go-style durations as Groq sends them: "7.66s", "2m59.56s", "940ms", "1h2m" — parts of a number
    /// (digits, optionally a point and more digits) and a unit (h, m, s, ms, us, µs, ns), nothing between them. Read by
    /// hand from the span: every provider response carries two of these, and the regex this replaced allocated a
    /// runner's state on every one (its definition is kept in the tests, which check both read the same).</summary>
    public static TimeSpan? ParseGoDuration(string? text)
    {
        var rest = text.AsSpan().Trim();
        if (rest.IsEmpty)
        {
            return null;
        }
        double ms = 0;
        while (!rest.IsEmpty)
        {
            var digits = rest.IndexOfAnyExceptInRange('0', '9');
            if (digits == 0)
            {
                return null;
            }
            var length = digits < 0 ? rest.Length : digits;
            if (digits > 0 && rest[digits] == '.' && digits + 1 < rest.Length && char.IsAsciiDigit(rest[digits + 1]))
            {
                var fraction = rest[(digits + 1)..].IndexOfAnyExceptInRange('0', '9');
                length = fraction < 0 ? rest.Length : digits + 1 + fraction;
            }
            var value = double.Parse(rest[..length], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            rest = rest[length..];
            var (milliseconds, unit) = rest switch
            {
                ['m', 's', ..] => (value, 2),
                ['u' or '\u00B5', 's', ..] => (value / 1000, 2),
                ['n', 's', ..] => (value / 1_000_000, 2),
                ['h', ..] => (value * 3_600_000, 1),
                ['m', ..] => (value * 60_000, 1),
                ['s', ..] => (value * 1000, 1),
                _ => (0, 0),
            };
            if (unit == 0)
            {
                return null;
            }
            ms += milliseconds;
            rest = rest[unit..];
        }
        // A duration no TimeSpan holds (a broken or hostile header) is ignored, not an error on the call.
        return ms < TimeSpan.MaxValue.TotalMilliseconds ? TimeSpan.FromMilliseconds(ms) : null;
    }

    private static long? Long(HttpResponseHeaders headers, string name) =>
        long.TryParse(First(headers, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static TimeSpan? Duration(HttpResponseHeaders headers, string name) =>
        ParseGoDuration(First(headers, name));

    // The header's first value as received. Read without validation: these headers have no parser to validate with, and
    // the validated view parses and stores every header it is asked for (allocations on every provider response).
    private static string? First(HttpResponseHeaders headers, string name)
    {
        if (headers.NonValidated.TryGetValues(name, out var values))
        {
            foreach (var value in values)
            {
                return value;
            }
        }
        return null;
    }
}
