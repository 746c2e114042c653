using System.Text.RegularExpressions;

namespace CodeMentor.Core.Tutoring.Exercises;

/// <summary>
/// Decides whether a tutor's reply gives away most of an exercise's reference solution. Both
/// texts become token sequences (whitespace and formatting do not matter); the share of the
/// solution's 5-token runs found in the reply is measured twice: on the tokens as written, and
/// with identifiers abstracted (so renamed variables do not hide a copy).
/// </summary>
public static partial class SolutionLeakGuard
{
    private const int Shingle = 5;

    /// <summary>Share of the solution found verbatim (ignoring layout) above which a reply leaks.</summary>
    public const double ExactThreshold = 0.5;

    /// <summary>Share of the solution's shape found with identifiers renamed above which a reply leaks.</summary>
    public const double ShapeThreshold = 0.8;

    private static readonly HashSet<string> Keywords =
    [
        "def", "return", "for", "while", "if", "else", "elif", "in", "range", "int", "string", "var", "let", "const", "function",
        "public", "static", "void", "class", "new", "true", "false", "null", "None", "True", "False", "and", "or", "not", "foreach",
        "break", "continue", "len", "print", "Console", "WriteLine", "using", "import", "fn", "mut", "func",
    ];

    public static bool Leaks(string reply, string solution)
    {
        var solutionTokens = Tokens(StripComments(solution));
        if (solutionTokens.Count < Shingle * 2)
        {
            return false; // a one-liner cannot be hinted at without resembling it
        }
        var replyTokens = Tokens(reply);
        return Overlap(solutionTokens, replyTokens) >= ExactThreshold
            || Overlap(Shape(solutionTokens), Shape(replyTokens)) >= ShapeThreshold;
    }

    public static double Overlap(IReadOnlyList<string> solution, IReadOnlyList<string> reply)
    {
        var wanted = Shingles(solution);
        if (wanted.Count == 0)
        {
            return 0;
        }
        var found = Shingles(reply);
        return (double)wanted.Count(found.Contains) / wanted.Count;
    }

    /// <summary>The reply shown instead of one that gave the solution away.</summary>
    public static string Replacement(int hintNumber) =>
        "That hint gave away too much of the answer, so here is a nudge instead: " + (hintNumber <= 1
            ? "re-read the examples and write down, in words, what has to happen to the input to get the output. Then turn each sentence into one line of code."
            : "run your code on the first example by hand, line by line, and write down the value of each variable. Where does it first differ from what you expect?");

    private static List<string> Tokens(string text) => Token().Matches(text).Select(m => m.Value).ToList();

    private static List<string> Shape(IReadOnlyList<string> tokens) =>
        tokens.Select(t => char.IsLetter(t[0]) || t[0] == '_' ? Keywords.Contains(t) ? t : "§" : t).ToList();

    private static HashSet<string> Shingles(IReadOnlyList<string> tokens)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i + Shingle <= tokens.Count; i++)
        {
            set.Add(string.Join('\u0001', tokens.Skip(i).Take(Shingle)));
        }
        return set;
    }

    private static string StripComments(string code) => Comment().Replace(code, "");

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|""(?:[^""\\]|\\.)*""|'(?:[^'\\]|\\.)*'|==|!=|<=|>=|\+=|-=|\*=|/=|&&|\|\||->|=>|\S")]
    private static partial Regex Token();

    [GeneratedRegex(@"//[^\n]*|#[^\n]*|/\*[\s\S]*?\*/")]
    private static partial Regex Comment();
}
