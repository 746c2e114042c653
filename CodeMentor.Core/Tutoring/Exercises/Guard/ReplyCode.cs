using System.Text;
using System.Text.RegularExpressions;

namespace CodeMentor.Core.Tutoring.Exercises.Guard;

/// <summary>
/// The code a tutor's reply contains: fenced blocks, inline code spans, and lines outside any
/// fence that read as code rather than prose (a reply may paste code without a fence). Prose is
/// left out, so apostrophes and quotes in sentences never mix with the code.
/// </summary>
internal static partial class ReplyCode
{
    /// <summary>One piece of code, and how it appeared.</summary>
    internal readonly record struct Segment(string Code, bool Inline);

    public static List<Segment> Extract(string reply, CodeLanguage language)
    {
        var segments = new List<Segment>();
        var lines = reply.ReplaceLineEndings("\n").Split('\n');
        var loose = new StringBuilder(); // consecutive unfenced code lines form one segment
        var previousWasCode = false;
        var openBrackets = 0; // a code line that leaves a bracket open continues on the next line

        void EndLoose()
        {
            if (loose.Length > 0)
            {
                segments.Add(new Segment(loose.ToString(), Inline: false));
                loose.Clear();
            }
            previousWasCode = false;
            openBrackets = 0;
        }

        for (var i = 0; i < lines.Length; i++)
        {
            if (FenceOpening(lines[i]) is { } fence)
            {
                EndLoose();
                var body = new StringBuilder();
                i++;
                while (i < lines.Length && !IsFenceClosing(lines[i], fence.Marker, fence.Length))
                {
                    body.Append(lines[i]).Append('\n');
                    i++;
                }
                segments.Add(new Segment(body.ToString(), Inline: false));
                continue;
            }

            var line = ListMarker().Replace(lines[i], "");
            var spans = InlineSpans(line);
            if (spans.Count > 0 && !LooksLikeCode(InlineSpan().Replace(line, " x "), language, previousWasCode))
            {
                // Prose with code in backticks: the spans are code, the sentence is not.
                EndLoose();
                segments.AddRange(spans.Select(s => new Segment(s, Inline: true)));
                continue;
            }
            if ((previousWasCode && openBrackets > 0 && line.Trim().Length > 0) || LooksLikeCode(line, language, previousWasCode))
            {
                loose.Append(line).Append('\n');
                previousWasCode = true;
                openBrackets = Math.Max(0, openBrackets + BracketBalance(line, language));
            }
            else if (line.Trim().Length > 0)
            {
                EndLoose();
            }
        }
        EndLoose();
        return segments;
    }

    private static int BracketBalance(string line, CodeLanguage language)
    {
        var balance = 0;
        foreach (var token in CodeLexer.Lex(line, language))
        {
            if (token.Kind == TokenKind.Operator)
            {
                balance += token.Text is "(" or "[" or "{" ? 1 : token.Text is ")" or "]" or "}" ? -1 : 0;
            }
        }
        return balance;
    }

    private sealed record Fence(char Marker, int Length);

    private static Fence? FenceOpening(string line)
    {
        var trimmed = line.TrimStart();
        if (line.Length - trimmed.Length > 3 || trimmed.Length < 3 || trimmed[0] is not ('`' or '~'))
        {
            return null;
        }
        var marker = trimmed[0];
        var length = 0;
        while (length < trimmed.Length && trimmed[length] == marker)
        {
            length++;
        }
        // A backtick fence's info string cannot contain a backtick (CommonMark).
        return length >= 3 && !(marker == '`' && trimmed[length..].Contains('`')) ? new Fence(marker, length) : null;
    }

    private static bool IsFenceClosing(string line, char marker, int length)
    {
        var trimmed = line.Trim();
        return trimmed.Length >= length && trimmed.All(c => c == marker);
    }

    private static List<string> InlineSpans(string line)
    {
        var spans = new List<string>();
        foreach (Match match in InlineSpan().Matches(line))
        {
            var content = match.Groups["code"].Value;
            if (content.Length >= 2 && content[0] == ' ' && content[^1] == ' ')
            {
                content = content[1..^1];
            }
            spans.Add(content);
        }
        return spans;
    }

    private static readonly HashSet<string> StatementKeywords =
    [
        "def", "return", "for", "if", "while", "elif", "else", "var", "let", "const", "function", "public", "private", "protected",
        "internal", "static", "class", "foreach", "import", "from", "using", "throw", "raise", "try", "catch", "except", "finally",
        "yield", "break", "continue", "pass", "switch", "case", "do", "with", "lambda", "async", "await", "new",
    ];

    /// <summary>
    /// Whether a line outside a fence is code: code has operators, calls, member access and
    /// statement endings; prose has runs of plain words and ends sentences. An indented line right
    /// after a code line is code too (a block's body).
    /// </summary>
    internal static bool LooksLikeCode(string line, CodeLanguage language, bool previousWasCode)
    {
        var trimmed = line.Trim();
        if (trimmed.Length == 0)
        {
            return false;
        }
        if (trimmed.All(c => c is '{' or '}' or ')' or ']' or ';' or ','))
        {
            return previousWasCode;
        }
        var tokens = CodeLexer.Lex(trimmed, language);
        if (tokens.Count == 0)
        {
            return false;
        }

        var code = 0;
        var last = trimmed[^1];
        var first = tokens[0];
        var startsWithKeyword = first.Kind == TokenKind.Identifier && StatementKeywords.Contains(first.Text);
        if (last is ';' or '{' or '}' or '(' or '[' || (last == ':' && startsWithKeyword) || (last == ')' && !trimmed.Contains(' ')))
        {
            code += 2;
        }
        if (last == ')' || last == ',')
        {
            code += 1;
        }
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t.Kind == TokenKind.Operator && t.Text is "=" or "==" or "!=" or "<=" or ">=" or "+=" or "-=" or "*=" or "/=" or "//=" or "%=" or "=>"
                or "&&" or "||" or "===" or "!==" or "++" or "--" or "->" or "??")
            {
                code += 2;
                break;
            }
        }
        for (var i = 1; i < tokens.Count; i++)
        {
            // name(…) and a.b, written without spaces: calls and member access.
            if (tokens[i].Kind == TokenKind.Operator && tokens[i].Text is "(" or "." or "[" && tokens[i - 1].Kind == TokenKind.Identifier
                && AdjacentInText(trimmed, tokens[i - 1].Text + tokens[i].Text))
            {
                code += 2;
                break;
            }
        }
        if (startsWithKeyword && tokens.Count > 1 && tokens[1].Text == "(" && first.Text is "if" or "for" or "foreach" or "while" or "switch" or "catch" or "using")
        {
            code += 2; // if (…), foreach (…): C-like control flow
        }
        if (startsWithKeyword)
        {
            code += 1;
            if (tokens.Count <= 3 && !trimmed.EndsWith('.'))
            {
                code += 1; // "return total", "else:", "break"
            }
        }

        var prose = 0;
        var run = LongestWordRun(tokens);
        if (run >= 5)
        {
            prose += 3;
        }
        else if (run >= 4)
        {
            prose += 1;
        }
        if (last is '.' or '?' or '!' && trimmed.Length > 1 && char.IsLetter(trimmed[^2]))
        {
            prose += 2;
        }
        if (char.IsUpper(trimmed[0]) && tokens.Count > 2 && tokens[1].Kind == TokenKind.Identifier && tokens[1].Text.All(char.IsLower))
        {
            prose += 1; // "Then write …"
        }
        if (previousWasCode && line.Length > trimmed.Length && code > 0)
        {
            code += 1;
        }
        return code >= 3 && code > prose;
    }

    private static bool AdjacentInText(string text, string pair) => text.Contains(pair, StringComparison.Ordinal);

    /// <summary>The longest run of plain alphabetic words with nothing but spaces between them.</summary>
    private static int LongestWordRun(List<CodeToken> tokens)
    {
        var best = 0;
        var run = 0;
        foreach (var t in tokens)
        {
            if (t.Kind == TokenKind.Identifier && t.Text.All(char.IsLetter))
            {
                run++;
                best = Math.Max(best, run);
            }
            else if (!(t.Kind == TokenKind.Operator && t.Text is "," or "'"))
            {
                run = 0;
            }
        }
        return best;
    }

    [GeneratedRegex(@"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+")]
    private static partial Regex ListMarker();

    [GeneratedRegex(@"(?<ticks>`+)(?<code>.+?)(?<!`)\k<ticks>(?!`)")]
    private static partial Regex InlineSpan();
}
