using System.Globalization;

namespace CodeMentor.Core.Tutoring;

/// <summary>
/// How long a learner's text is, counted the way they see it: one character per user-perceived
/// character (grapheme cluster), so "é", "語" and "👍" each count one. Every limit the pages show
/// and the services enforce is counted here, so the page and the server always agree.
/// </summary>
public static class TextLimits
{
    public static int Count(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }
        // Plain text without surrogates or combining marks: one char, one character.
        var simple = true;
        foreach (var c in text)
        {
            if (char.IsSurrogate(c) || c >= '\u0300' && CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark
                    or UnicodeCategory.EnclosingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.Format)
            {
                simple = false;
                break;
            }
        }
        return simple ? text.Length : new StringInfo(text).LengthInTextElements;
    }

    /// <summary>"Your message is 32,001 characters; the limit is 32,000."</summary>
    public static string? TooLong(string what, string? text, int limit)
    {
        var count = Count(text);
        return count > limit ? $"{what} is {count:N0} characters; the limit is {limit:N0}." : null;
    }

    /// <summary>At most <paramref name="maxLength"/> UTF-16 units of <paramref name="text"/> (the ellipsis
    /// included), cut between characters: never inside a surrogate pair or an emoji with its modifier.
    /// A cut in the middle leaves a broken character that PostgreSQL refuses to store and pages show as �.</summary>
    public static string Shorten(string text, int maxLength, string ellipsis = "")
    {
        if (text.Length <= maxLength)
        {
            return text;
        }
        var budget = Math.Max(0, maxLength - ellipsis.Length);
        var end = 0;
        while (end < text.Length)
        {
            var next = end + StringInfo.GetNextTextElementLength(text.AsSpan(end));
            if (next > budget)
            {
                break;
            }
            end = next;
        }
        return ellipsis.Length > 0 ? text[..end].TrimEnd() + ellipsis : text[..end];
    }

    /// <summary>The position of a lone UTF-16 surrogate (a broken character no text can hold), or -1.</summary>
    public static int BrokenCharacterAt(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return i;
            }
        }
        return -1;
    }
}
