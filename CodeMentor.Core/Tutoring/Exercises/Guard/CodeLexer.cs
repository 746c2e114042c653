namespace CodeMentor.Core.Tutoring.Exercises.Guard;

/// <summary>The languages the guard knows the syntax of; anything else is lexed as a C-like language.</summary>
internal enum CodeLanguage
{
    CLike,
    Python,
    CSharp,
    JavaScript,
}

internal static class CodeLanguages
{
    /// <summary>Maps an exercise's language name or a fence's info string to a lexer.</summary>
    public static CodeLanguage Parse(string? name) => (name ?? "").Trim().ToLowerInvariant() switch
    {
        "python" or "py" or "python3" => CodeLanguage.Python,
        "c#" or "csharp" or "cs" => CodeLanguage.CSharp,
        "javascript" or "js" or "typescript" or "ts" or "mjs" or "jsx" or "tsx" => CodeLanguage.JavaScript,
        _ => CodeLanguage.CLike,
    };
}

internal enum TokenKind
{
    Identifier,
    Number,
    String,
    Operator,
    Newline,
}

internal readonly record struct CodeToken(TokenKind Kind, string Text);

/// <summary>
/// Splits code into tokens the way the language does: comments per language (Python's <c>#</c>;
/// <c>//</c> and <c>/* */</c> elsewhere; Python's <c>//</c> is floor division), and string or
/// character literals that end at the end of their line unless the language has multi-line
/// strings (Python's triple quotes, C#'s verbatim and raw strings, JavaScript's template
/// literals). An apostrophe with no closing quote on its line is a lone character, so the
/// apostrophes of "here's … doesn't" in prose never swallow the code between them.
/// </summary>
internal static class CodeLexer
{
    private static readonly string[] Operators =
    [
        ">>>=", "===", "!==", "**=", "//=", ">>=", "<<=", "...", "??=", "==", "!=", "<=", ">=", "&&", "||", "++", "--",
        "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "->", "=>", "::", "**", "//", "<<", ">>", "??", "?.",
    ];

    public static List<CodeToken> Lex(string code, CodeLanguage language)
    {
        var tokens = new List<CodeToken>();
        var i = 0;
        while (i < code.Length)
        {
            var c = code[i];
            if (c == '\n')
            {
                if (tokens.Count > 0 && tokens[^1].Kind != TokenKind.Newline)
                {
                    tokens.Add(new CodeToken(TokenKind.Newline, "\n"));
                }
                i++;
                continue;
            }
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }
            if (IsCommentStart(code, i, language, out var blockComment))
            {
                i = blockComment ? EndOfBlockComment(code, i) : EndOfLine(code, i);
                continue;
            }
            if (TryString(code, i, language, out var end))
            {
                tokens.Add(new CodeToken(TokenKind.String, NormalizeString(code[i..end])));
                i = end;
                continue;
            }
            if (char.IsDigit(c) || (c == '.' && i + 1 < code.Length && char.IsDigit(code[i + 1])))
            {
                var start = i;
                i++;
                while (i < code.Length && (char.IsLetterOrDigit(code[i]) || code[i] is '_' or '.'
                    || (code[i] is '+' or '-' && code[i - 1] is 'e' or 'E' && !code[start..i].StartsWith("0x", StringComparison.OrdinalIgnoreCase))))
                {
                    if (code[i] == '.' && (i + 1 >= code.Length || !char.IsDigit(code[i + 1])))
                    {
                        break; // 3.method() or a range 1..n: the dot is not part of the number
                    }
                    i++;
                }
                tokens.Add(new CodeToken(TokenKind.Number, code[start..i].TrimEnd('L', 'l', 'm', 'M', 'f', 'F', 'd', 'D', 'u', 'U', 'n').Replace("_", "")));
                continue;
            }
            if (char.IsLetter(c) || c is '_' or '$' || (c == '@' && language == CodeLanguage.CSharp && i + 1 < code.Length && char.IsLetter(code[i + 1])))
            {
                var start = i;
                i++;
                while (i < code.Length && (char.IsLetterOrDigit(code[i]) || code[i] is '_' or '$'))
                {
                    i++;
                }
                tokens.Add(new CodeToken(TokenKind.Identifier, code[start..i].TrimStart('@')));
                continue;
            }
            var op = Operators.FirstOrDefault(o => string.CompareOrdinal(code, i, o, 0, o.Length) == 0
                && (o != "//" || language == CodeLanguage.Python) && (o != "//=" || language == CodeLanguage.Python));
            if (op is not null)
            {
                tokens.Add(new CodeToken(TokenKind.Operator, op));
                i += op.Length;
                continue;
            }
            tokens.Add(new CodeToken(TokenKind.Operator, c.ToString()));
            i++;
        }
        return tokens;
    }

    private static bool IsCommentStart(string code, int i, CodeLanguage language, out bool block)
    {
        block = false;
        if (language == CodeLanguage.Python)
        {
            return code[i] == '#';
        }
        if (code[i] == '/' && i + 1 < code.Length)
        {
            if (code[i + 1] == '/')
            {
                return true;
            }
            if (code[i + 1] == '*')
            {
                block = true;
                return true;
            }
        }
        // A C-like language we do not know well: a # at the start of a line is a shell or preprocessor line.
        return language == CodeLanguage.CLike && code[i] == '#' && (i == 0 || code[i - 1] == '\n');
    }

    private static int EndOfLine(string code, int i)
    {
        var newline = code.IndexOf('\n', i);
        return newline < 0 ? code.Length : newline;
    }

    private static int EndOfBlockComment(string code, int i)
    {
        var close = code.IndexOf("*/", i + 2, StringComparison.Ordinal);
        return close < 0 ? code.Length : close + 2;
    }

    /// <summary>Finds the end of a string or character literal starting at <paramref name="i"/>.</summary>
    private static bool TryString(string code, int i, CodeLanguage language, out int end)
    {
        end = i;
        var start = i;
        switch (language)
        {
            case CodeLanguage.Python:
                // Prefixes r, b, u, f and their pairs.
                var p = i;
                while (p < code.Length && p - i < 2 && "rRbBuUfF".Contains(code[p]))
                {
                    p++;
                }
                if (p < code.Length && code[p] is '"' or '\'' && (p == i || i == 0 || !char.IsLetterOrDigit(code[i - 1])))
                {
                    if (string.CompareOrdinal(code, p, new string(code[p], 3), 0, 3) == 0)
                    {
                        var close = code.IndexOf(new string(code[p], 3), p + 3, StringComparison.Ordinal);
                        end = close < 0 ? code.Length : close + 3;
                        return true;
                    }
                    return SingleLine(code, p, code[p], out end);
                }
                return false;

            case CodeLanguage.CSharp:
                if (code[i] == '"' && string.CompareOrdinal(code, i, "\"\"\"", 0, 3) == 0)
                {
                    return RawString(code, i, out end);
                }
                if (code[i] is '$' or '@')
                {
                    var q = i;
                    var verbatim = false;
                    while (q < code.Length && code[q] is '$' or '@' && q - i < 3)
                    {
                        verbatim |= code[q] == '@';
                        q++;
                    }
                    if (q >= code.Length || code[q] != '"' || q == i)
                    {
                        return false;
                    }
                    if (string.CompareOrdinal(code, q, "\"\"\"", 0, 3) == 0)
                    {
                        return RawString(code, q, out end);
                    }
                    return verbatim ? Verbatim(code, q, out end) : SingleLine(code, q, '"', out end);
                }
                if (code[i] == '"')
                {
                    return SingleLine(code, i, '"', out end);
                }
                if (code[i] == '\'')
                {
                    // A char literal is at most an escape sequence long; anything else is an apostrophe.
                    var ok = SingleLine(code, i, '\'', out end) && end - start <= 10 && end > start + 2;
                    if (!ok)
                    {
                        end = i;
                    }
                    return ok;
                }
                return false;

            case CodeLanguage.JavaScript:
                if (code[i] == '`')
                {
                    var k = i + 1;
                    while (k < code.Length && code[k] != '`')
                    {
                        k += code[k] == '\\' ? 2 : 1;
                    }
                    end = Math.Min(code.Length, k + 1);
                    return true;
                }
                if (code[i] is '"' or '\'')
                {
                    return SingleLine(code, i, code[i], out end);
                }
                return false;

            default:
                if (code[i] is '"' or '\'')
                {
                    return SingleLine(code, i, code[i], out end);
                }
                return false;
        }
    }

    /// <summary>A quoted literal that must close on its own line; unclosed, it is not a string.</summary>
    private static bool SingleLine(string code, int i, char quote, out int end)
    {
        var k = i + 1;
        while (k < code.Length && code[k] != '\n')
        {
            if (code[k] == '\\')
            {
                k += 2;
                continue;
            }
            if (code[k] == quote)
            {
                end = k + 1;
                return true;
            }
            k++;
        }
        end = i;
        return false;
    }

    private static bool Verbatim(string code, int q, out int end)
    {
        var k = q + 1;
        while (k < code.Length)
        {
            if (code[k] == '"')
            {
                if (k + 1 < code.Length && code[k + 1] == '"')
                {
                    k += 2;
                    continue;
                }
                end = k + 1;
                return true;
            }
            k++;
        }
        end = code.Length;
        return true;
    }

    private static bool RawString(string code, int q, out int end)
    {
        var quotes = 0;
        while (q + quotes < code.Length && code[q + quotes] == '"')
        {
            quotes++;
        }
        var close = code.IndexOf(new string('"', quotes), q + quotes, StringComparison.Ordinal);
        end = close < 0 ? code.Length : close + quotes;
        return true;
    }

    /// <summary>'abc', "abc", f"abc" and @"abc" compare equal: only the content counts.</summary>
    private static string NormalizeString(string literal)
    {
        var text = literal.TrimStart('r', 'R', 'b', 'B', 'u', 'U', 'f', 'F', '$', '@');
        var quote = text.Length > 0 ? text[0] : '"';
        var quoteRun = 0;
        while (quoteRun < text.Length / 2 && text[quoteRun] == quote)
        {
            quoteRun++;
        }
        var inner = text.Length >= 2 * quoteRun ? text[quoteRun..^quoteRun] : text;
        return "\"" + inner.Replace("\\'", "'").Replace("\\\"", "\"") + "\"";
    }
}
