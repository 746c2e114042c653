using System.Text.RegularExpressions;

namespace CodeMentor.Core.Tutoring.Reviews;

/// <summary>What a review is called in the history: its files, else the first thing the code declares
/// (a class, a function), else its first meaningful line.</summary>
public static partial class ReviewTitles
{
    public static string For(string language, string fileNames, string code)
    {
        if (fileNames.Length > 0)
        {
            var names = fileNames.Split(", ");
            return names.Length == 1 ? names[0] : $"{names[0]} + {names.Length - 1} more";
        }
        var declared = Declaration().Match(code);
        if (declared.Success)
        {
            var name = declared.Groups["type"].Success ? declared.Groups["type"].Value : declared.Groups["function"].Value + "()";
            return $"{language} · {name}";
        }
        var line = code.Split('\n').Select(l => l.Trim())
            .FirstOrDefault(l => l.Length > 0 && !Boilerplate().IsMatch(l)) ?? code.Trim();
        return $"{language} · {TextLimits.Shorten(line, 50, "…")}";
    }

    // Types first (class/struct/record/interface/enum in any of the languages), then functions
    // (def, function, fn, func, or a C-family method header with a body).
    [GeneratedRegex(@"\b(?:class|struct|record|interface|enum|trait)\s+(?<type>[A-Za-z_]\w*)|\b(?:def|function|fn|func)\s+(?:\([^)]*\)\s*)?(?<function>[A-Za-z_]\w*)|^[ \t]*(?:(?:public|private|protected|internal|static|async|virtual|override|final)\s+)*[\w<>\[\],.?]+\s+(?<function>[A-Za-z_]\w*)\s*\([^;{]*\)\s*(?:\{|$)", RegexOptions.Multiline, matchTimeoutMilliseconds: 200)]
    private static partial Regex Declaration();

    [GeneratedRegex(@"^(?://|#|/\*|\*|--|using\b|import\b|from\b|package\b|#include|namespace\b|<!|\{|\})", RegexOptions.None, matchTimeoutMilliseconds: 100)]
    private static partial Regex Boilerplate();
}
