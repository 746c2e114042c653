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
