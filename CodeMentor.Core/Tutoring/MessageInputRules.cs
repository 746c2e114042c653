namespace CodeMentor.Core.Tutoring;

/// <summary>What the chat accepts from a learner before anything is saved or sent.</summary>
public static class MessageInputRules
{
    public const int MaxCharacters = 32_000;

    /// <returns>A message for the learner, or null when the text is acceptable.</returns>
    public static string? Check(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "Write a message first.";
        }
        if (TextLimits.TooLong("Your message", text, MaxCharacters) is { } tooLong)
        {
            return tooLong + " Shorten it or split it; nothing was sent.";
        }
        if (TextLimits.BrokenCharacterAt(text) is var at and >= 0)
        {
            return $"Your message has a broken character (half of a UTF-16 pair) at position {at + 1:N0}. Remove it and send again; nothing was sent.";
        }
        if (LooksBinary(text))
        {
            return "That looks like binary data, not text. Paste source code or plain text; nothing was sent.";
        }
        return null;
    }

    /// <summary>NUL, or many control characters (other than tab and line breaks), means binary.
    /// U+FFFD, the replacement character, is ordinary text (copied from a page with a broken encoding).</summary>
    public static bool LooksBinary(string text)
    {
        var control = 0;
        foreach (var c in text)
        {
            if (c == '\0')
            {
                return true;
            }
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
            {
                control++;
            }
        }
        return control > 8 && control > text.Length / 100;
    }
}
