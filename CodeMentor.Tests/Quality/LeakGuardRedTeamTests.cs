using CodeMentor.Core.Courses;
using CodeMentor.Core.Tutoring.Exercises;
using CodeMentor.Tests.Support;
using Xunit.Abstractions;

namespace CodeMentor.Tests.Quality;

/// <summary>
/// The leak guard on the red-team set (Data/LeakGuard, written before the guard): at least 95% of
/// leaks caught and at most 3% of legitimate hints blocked. The tables this prints are the figures
/// in docs/tutoring-quality.md.
/// </summary>
public sealed class LeakGuardRedTeamTests(ITestOutputHelper output)
{
    private static readonly IReadOnlyList<RedTeamExercise> Exercises = LeakGuardRedTeam.Load();

    private static bool Flags(RedTeamSample s) => Flags(s, LeakGuardStrictness.Standard);

    private static bool Flags(RedTeamSample s, LeakGuardStrictness strictness) => SolutionLeakGuard.Check(s.Reply,
        new LeakGuardContext(s.Exercise.Solution, s.Exercise.Language, s.Exercise.Starter, s.Exercise.Attempt, Strictness: strictness)).Leaks;

    [Fact]
    public void The_set_covers_three_languages_both_sizes_and_every_kind()
    {
        Assert.True(Exercises.Count >= 30, $"{Exercises.Count} exercises");
        foreach (var language in new[] { "python", "csharp", "javascript" })
        {
            Assert.True(Exercises.Count(e => e.Language == language) >= 10, language);
            Assert.Contains(Exercises, e => e.Language == language && e.Size == "short");
            Assert.Contains(Exercises, e => e.Language == language && e.Size == "medium");
        }
        var samples = LeakGuardRedTeam.Samples(Exercises).ToList();
        Assert.All(LeakGuardRedTeam.LeakKinds.Concat(LeakGuardRedTeam.LegitKinds), kind =>
            Assert.Equal(Exercises.Count * 3, samples.Count(s => s.Kind == kind)));
    }

    [Fact]
    public void The_guard_catches_at_least_95_percent_of_leaks_and_blocks_at_most_3_percent_of_legitimate_hints()
    {
        var card = Scorecard.Run(LeakGuardRedTeam.Samples(Exercises), Flags);
        var heldOut = Scorecard.Run(LeakGuardRedTeam.Samples(Exercises.Where(e => e.HeldOut)), Flags);
        output.WriteLine(card.Summary("all exercises"));
        output.WriteLine(heldOut.Summary("held-out exercises"));
        output.WriteLine(card.Table("kind", s => s.Kind));
        output.WriteLine(card.Table("wrapping", s => s.Wrapper));
        output.WriteLine(card.Table("language", s => s.Exercise.Language));
        output.WriteLine("Missed: " + string.Join(", ", card.Missed));
        output.WriteLine("Wrongly blocked: " + string.Join(", ", card.FalsePositives));

        Assert.True(card.Recall >= 0.95, card.Summary("all exercises"));
        Assert.True(card.FalsePositiveRate <= 0.03, card.Summary("all exercises"));
    }

    /// <summary>A teacher's choice per course, on the same set. Strict: every leak kind, and what it also holds back
    /// is code that carries part of the solution (corrections, tiny pieces), never a question, a built-in example,
    /// pseudo-code or the learner's own code quoted back. Lenient: whole solutions still caught, fewer replies held.</summary>
    [Fact]
    public void A_strict_course_holds_back_every_kind_of_leak_and_a_lenient_one_only_whole_solutions()
    {
        Scorecard Card(LeakGuardStrictness strictness, IEnumerable<RedTeamExercise> exercises) =>
            Scorecard.Run(LeakGuardRedTeam.Samples(exercises), s => Flags(s, strictness));
        var standard = Card(LeakGuardStrictness.Standard, Exercises);
        var strict = Card(LeakGuardStrictness.Strict, Exercises);
        var lenient = Card(LeakGuardStrictness.Lenient, Exercises);
        foreach (var (name, card) in new[] { ("strict", strict), ("lenient", lenient) })
        {
            output.WriteLine(card.Summary(name + ", all exercises"));
            var strictness = name == "strict" ? LeakGuardStrictness.Strict : LeakGuardStrictness.Lenient;
            output.WriteLine(Card(strictness, Exercises.Where(e => e.HeldOut)).Summary(name + ", held-out exercises"));
            output.WriteLine(card.Table("kind", s => s.Kind));
        }

        Assert.True(strict.Recall >= standard.Recall && strict.Recall >= 0.98, strict.Summary("strict"));
        var neverCode = new[] { "socratic", "builtin", "pseudo", "quote-attempt" };
        var heldWrongly = Scorecard.Run(LeakGuardRedTeam.Samples(Exercises).Where(s => neverCode.Contains(s.Kind)), s => Flags(s, LeakGuardStrictness.Strict));
        Assert.True(heldWrongly.FalsePositiveRate <= 0.03, heldWrongly.Summary("strict on replies with no solution code"));

        var wholeSolutions = new[] { "verbatim", "renamed", "split", "inline" };
        var whole = Scorecard.Run(LeakGuardRedTeam.Samples(Exercises).Where(s => wholeSolutions.Contains(s.Kind)), s => Flags(s, LeakGuardStrictness.Lenient));
        Assert.True(whole.Recall >= 0.95, whole.Summary("lenient on whole solutions"));
        Assert.True(lenient.FalsePositiveRate <= standard.FalsePositiveRate && lenient.Recall <= standard.Recall, lenient.Summary("lenient"));
    }
}
