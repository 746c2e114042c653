using CodeMentor.Core.Courses;
using CodeMentor.Core.Tutoring.Exercises.Guard;

namespace CodeMentor.Core.Tutoring.Exercises;

/// <summary>What the guard knows about an exercise when it judges a reply.</summary>
/// <param name="Solution">The reference solution it protects.</param>
/// <param name="Language">The exercise's language (its syntax decides how code is read).</param>
/// <param name="Starter">Code the learner was given; quoting it reveals nothing.</param>
/// <param name="LearnerCode">The learner's own code; quoting it back reveals nothing.</param>
/// <param name="EarlierReplies">What the tutor already showed in this exercise: a solution leaked a piece at a time still counts.</param>
/// <param name="Strictness">How much of the solution a reply may carry: the learner's course decides (a teacher's setting).</param>
internal sealed record LeakGuardContext(string Solution, string Language, string? Starter = null, string? LearnerCode = null,
    IReadOnlyList<string>? EarlierReplies = null, LeakGuardStrictness Strictness = LeakGuardStrictness.Standard);

/// <param name="Coverage">Share of the solution's features in the tutor's code (this reply and the earlier ones).</param>
/// <param name="FreshCoverage">Share of the solution's features in the tutor's statements that are not the learner's own.</param>
/// <param name="SolutionStatements">Statements of the tutor's code that carry part of the solution.</param>
/// <param name="CodeStatements">Statements of code the tutor showed (the learner's quoted code left out).</param>
/// <param name="Size">Tokens of code the tutor showed, as a share of the solution's tokens.</param>
internal sealed record LeakVerdict(bool Leaks, double Coverage, double FreshCoverage, int SolutionStatements, int CodeStatements, double Size, string Reason);

/// <summary>
/// Decides whether a tutor's reply gives away the solution of an exercise. It reads the code in
/// the reply (fences, inline code and unfenced code lines, each tokenized in the exercise's
/// language), leaves out what the learner already has (their own code, the starter code), and
/// compares what remains with the solution by structure (<see cref="CodeFingerprint"/>), so a
/// renamed, reordered, split or restyled copy is caught as well as a verbatim one. What the tutor
/// showed earlier in the same exercise counts too.
///
/// Let through, as the hint and feedback prompts say: the learner's own code quoted back, and a
/// correction of at most two lines.
/// </summary>
internal static class SolutionLeakGuard
{
    /// <summary>How much of a code segment must be the learner's own lines for it to be a quotation.</summary>
    internal const double QuoteShare = 0.6;

    public static LeakVerdict Check(string reply, LeakGuardContext context)
    {
        var language = CodeLanguages.Parse(context.Language);
        var starter = CodeFingerprint.Of(Code(context.Starter), language);
        var solution = CodeFingerprint.Of([context.Solution], language, starter.StatementKeys);
        if (solution.TotalWeight <= 0)
        {
            return new LeakVerdict(false, 0, 0, 0, 0, 0, "The solution has no code to protect.");
        }
        var learner = CodeFingerprint.Of(Code(context.LearnerCode), language, starter.StatementKeys);

        // Everything the tutor has shown in this exercise, each reply's fenced blocks and loose code
        // one by one and its inline code together, without what quotes the learner's own code.
        var mistakes = learner.StatementKeys.Where(k => !solution.StatementKeys.Contains(k)).ToHashSet(StringComparer.Ordinal);
        var shown = new List<List<string>>();
        foreach (var text in (context.EarlierReplies ?? []).Append(reply))
        {
            var segments = ReplyCode.Extract(text, language);
            var pieces = segments.Where(s => !s.Inline).Select(s => s.Code)
                .Append(string.Join('\n', segments.Where(s => s.Inline).Select(s => s.Code)));
            foreach (var piece in pieces)
            {
                var pieceStatements = CodeFingerprint.Of([piece], language, starter.StatementKeys).Statements;
                var keys = pieceStatements.Select(CodeFingerprint.Key).ToList();
                // Quoting the learner: mostly their lines, mistakes included (or, when their code has
                // none, nothing but their lines). Their code with the mistakes fixed is not a quotation.
                var theirs = keys.Count(learner.StatementKeys.Contains);
                var quotes = keys.Count > 0 && (mistakes.Count == 0
                    ? theirs == keys.Count
                    : theirs >= QuoteShare * keys.Count && keys.Any(mistakes.Contains));
                shown.AddRange(quotes ? pieceStatements.Where(s => !learner.StatementKeys.Contains(CodeFingerprint.Key(s))) : pieceStatements);
            }
        }
        var tutor = CodeFingerprint.FromStatements(shown);
        var fresh = CodeFingerprint.FromStatements(shown.Where(s => !learner.StatementKeys.Contains(CodeFingerprint.Key(s))).ToList());

        var coverage = solution.SharedWeight(tutor.Features.Keys) / solution.TotalWeight;
        var freshCoverage = solution.SharedWeight(fresh.Features.Keys) / solution.TotalWeight;
        var statements = tutor.Statements.Count(s => solution.SharedWeight(CodeFingerprint.FeaturesOf(s)) >= 1);

        var lines = shown.Count(s => s.Count >= 2);
        var size = (double)shown.Sum(s => s.Count) / Math.Max(1, solution.Statements.Sum(s => s.Count));
        var leaks = Decide(coverage, lines, size, context.Strictness);
        return new LeakVerdict(leaks, coverage, freshCoverage, statements, lines, size,
            leaks ? $"The reply's code covers {coverage:P0} of the solution." : "The reply's code does not give the solution away.");
    }

    /// <summary>
    /// A reply leaks when the tutor's code covers much of the solution and is more than the two-line
    /// correction the prompts allow, when it covers most of it in fewer but dense lines, or when it
    /// covers nearly all of it. A strict course lowers each bar (a two-line correction that carries a
    /// quarter of the solution is held back); a lenient one holds back only (nearly) whole solutions.
    /// Thresholds chosen on the development part of the red-team set (docs/tutoring-quality.md), then
    /// checked on the held-out part.
    /// </summary>
    internal static bool Decide(double coverage, int lines, double size, LeakGuardStrictness strictness = LeakGuardStrictness.Standard) =>
        strictness switch
        {
            LeakGuardStrictness.Lenient => coverage >= 0.9 || (coverage >= 0.75 && lines >= 3),
            LeakGuardStrictness.Strict => (coverage >= 0.25 && lines >= 2) || (coverage >= 0.5 && size >= 0.2) || coverage >= 0.75,
            _ => (coverage >= 0.4 && lines >= 3) || (coverage >= 0.65 && size >= 0.35) || coverage >= 0.9,
        };


    /// <summary>The reply shown instead of one that gave the solution away: still a useful nudge,
    /// closer with each hint, and honest about why the original was withheld.</summary>
    public static string Replacement(int hintNumber, AttemptKind kind = AttemptKind.Hint) =>
        (kind == AttemptKind.Feedback
            ? "The tutor's feedback showed too much of the answer, so CodeMentor kept it back. Here is what to do next: "
            : "That hint gave away too much of the answer, so here is a nudge instead: ") + (hintNumber <= 1
            ? "re-read the examples and write down, in words, what has to happen to the input to get the output. Then turn each sentence into one line of code."
            : hintNumber == 2
                ? "run your code on the first example by hand, line by line, and write down the value of each variable. Where does it first differ from what you expect?"
                : "pick the smallest input where your code goes wrong, add a print of each variable inside the loop, and compare the printed values with what you worked out by hand.");

    private static IEnumerable<string> Code(string? text) => string.IsNullOrWhiteSpace(text) ? [] : [text];
}
