using CodeMentor.Core.Tutoring.Exercises.Guard;
using CodeMentor.Core.Tutoring.Reviews;

namespace CodeMentor.Core.Tutoring.Exercises;

/// <summary>
/// The model's "VERDICT: SOLVED" unlocks the reference solution, so it is checked against the
/// attempt first: an attempt that is still the starter code, a placeholder, far smaller than any
/// solution, unbalanced, or (for C#) does not compile cannot be a solution, whatever the model says.
/// The examples are not run: learner code is never executed on the server.
/// </summary>
internal static class SolvedVerdictCheck
{
    /// <summary>Any solution of an exercise has at least this share of the reference solution's tokens.</summary>
    private const double MinimumSize = 0.25;

    private static readonly HashSet<string> Placeholders = ["pass", "NotImplementedException", "NotImplementedError", "TODO", "todo"];

    /// <returns>Why the attempt cannot be a solution (completing "CodeMentor checked your code and …"), or null.</returns>
    public static string? Refute(string attempt, string starter, string solution, string language)
    {
        var lang = CodeLanguages.Parse(language);
        var given = CodeFingerprint.Of([starter], lang);
        var written = CodeFingerprint.Of([attempt], lang, given.StatementKeys).Statements
            .Where(s => !s.Any(Placeholders.Contains)).ToList();
        if (written.Count == 0)
        {
            return "found nothing beyond the starter code and placeholders.";
        }
        var reference = CodeFingerprint.Of([solution], lang, given.StatementKeys).Statements;
        var size = written.Sum(s => s.Count);
        if (size < MinimumSize * reference.Sum(s => s.Count))
        {
            return "it is much shorter than any solution of this exercise could be.";
        }
        if (!BracketsBalance(attempt, lang))
        {
            return "its brackets do not balance.";
        }
        if (lang == CodeLanguage.CSharp
            && CSharpDiagnostics.Analyze(attempt).Diagnostics.FirstOrDefault(d => d.Severity == "error") is { } error)
        {
            return $"it does not compile ({error.Id}{(error.Line > 0 ? $" on line {error.Line}" : "")}: {error.Message}).";
        }
        return null;
    }

    private static bool BracketsBalance(string code, CodeLanguage language)
    {
        var open = new Stack<string>();
        foreach (var token in CodeLexer.Lex(code, language))
        {
            if (token.Kind != TokenKind.Operator)
            {
                continue;
            }
            switch (token.Text)
            {
                case "(" or "[" or "{":
                    open.Push(token.Text);
                    break;
                case ")" or "]" or "}":
                    var expected = token.Text switch { ")" => "(", "]" => "[", _ => "{" };
                    if (open.Count == 0 || open.Pop() != expected)
                    {
                        return false;
                    }
                    break;
            }
        }
        return open.Count == 0;
    }
}
