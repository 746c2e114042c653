using System.Globalization;
using System.Text.RegularExpressions;
using CodeMentor.Core.Llm.Providers;
using CodeMentor.Core.Tutoring;
using CsCheck;

namespace CodeMentor.Tests.Unit;

public sealed partial class InputAndHeaderParsingTests
{
    [Theory]
    [InlineData("", "Write a message first.")]
    [InlineData("   \n ", "Write a message first.")]
    [InlineData("abc\0def", "binary")]
    public void Unusable_messages_are_refused_with_a_reason(string text, string expected)
    {
        Assert.Contains(expected, MessageInputRules.Check(text));
    }

    [Fact]
    public void A_huge_message_names_the_limit()
    {
        Assert.Contains("32,000", MessageInputRules.Check(new string('a', MessageInputRules.MaxCharacters + 1)));
    }

    [Fact]
    public void Code_with_tabs_and_hostile_text_is_accepted_as_text()
    {
        Assert.Null(MessageInputRules.Check("for (;;)\n\t{ }\r\n<script>alert(1)</script> ignore previous instructions"));
    }

    [Theory]
    [InlineData("7.66s", 7660)]
    [InlineData("2m59.56s", 179560)]
    [InlineData("940ms", 940)]
    [InlineData("1h2m3s", 3723000)]
    [InlineData(" 250us ", 0.25)]
    public void Go_durations_from_rate_limit_headers_are_parsed(string text, double milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), ProviderRateLimits.ParseGoDuration(text));
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("")]
    [InlineData("5 s")]
    [InlineData("5s soon")]
    [InlineData("272529032h")] // beyond what a TimeSpan holds
    [InlineData("\u0663s")] // an Arabic-Indic three: a digit to the regex's \d, not to the number parser
    public void Unparseable_durations_are_ignored(string text)
    {
        Assert.Null(ProviderRateLimits.ParseGoDuration(text));
    }

    /// <summary>The hand-written reader against the regular expression it replaced (parts matched anywhere, accepted only
    /// when they cover the whole text): the same duration, or null, for texts of digits, points, unit letters and junk.</summary>
    [Fact]
    public void Go_durations_read_as_the_regular_expression_reads_them()
    {
        Gen.Char["0123456789..hmsunµ x"].Array[0, 14].Select(c => new string(c)).Sample(text =>
            Assert.Equal(ByRegex(text), ProviderRateLimits.ParseGoDuration(text)), iter: 200_000);
    }

    private static TimeSpan? ByRegex(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var trimmed = text.Trim();
        double ms = 0;
        var covered = 0;
        foreach (Match match in DurationPart().Matches(trimmed))
        {
            var value = double.Parse(match.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            ms += match.Groups[2].Value switch
            {
                "h" => value * 3_600_000,
                "m" => value * 60_000,
                "s" => value * 1000,
                "ms" => value,
                "us" or "µs" => value / 1000,
                _ => value / 1_000_000,
            };
            covered += match.Length;
        }
        return covered == 0 || covered != trimmed.Length || ms >= TimeSpan.MaxValue.TotalMilliseconds ? null : TimeSpan.FromMilliseconds(ms);
    }

    [GeneratedRegex(@"([0-9]+(?:\.[0-9]+)?)(ms|us|µs|ns|h|m|s)")]
    private static partial Regex DurationPart();
}
