using CodeMentor.Core.Courses.Material;
using CodeMentor.Tests.Support;
using CsCheck;

namespace CodeMentor.Tests.Unit;

/// <summary>Sentence windows on the passages of real documents (python3-doc's tutorial and HOWTOs) and on random text.</summary>
public sealed class PassageWindowsTests
{
    private static IEnumerable<PassageDraft> RealPassages =>
        PythonTutorial.TutorialPages.Concat(PythonTutorial.HowtoPages)
            .SelectMany(page => MaterialSplitter.Split(Path.GetFileName(page), File.ReadAllBytes(page)).Passages);

    /// <summary>Every word of a passage is in a window, in order; each window is led by the innermost heading and
    /// is at most <see cref="PassageWindows.MaxChars"/> long unless it is one longer sentence; each window holds words
    /// the one before it lacks (a window that only repeats its neighbour's last sentence costs an embedding for nothing).</summary>
    private static void AssertWindows(string section, string text)
    {
        var windows = PassageWindows.Of(section, text);
        var heading = section.Split(MaterialSplitter.SectionSeparator)[^1].Trim();
        var lead = heading.Length == 0 ? "" : heading + ": ";
        var bodies = windows.Select(w =>
        {
            Assert.StartsWith(lead, w, StringComparison.Ordinal);
            return w[lead.Length..];
        }).ToList();
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(words.Length == 0, bodies.Count == 0);
        // Walk the passage's words through the windows: each window continues where the text is, after an overlap.
        var covered = 0;
        foreach (var body in bodies)
        {
            var own = body.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            Assert.True(body.Length <= PassageWindows.MaxChars || !System.Text.RegularExpressions.Regex.IsMatch(body, @"[.!?:]\s"),
                $"window of {body.Length} characters: {body}");
            var at = Enumerable.Range(0, covered + 1).LastOrDefault(i => i + own.Length <= words.Length && words.AsSpan(i, own.Length).SequenceEqual(own), -1);
            Assert.True(at >= 0, $"window not found in order in the passage: {body}");
            Assert.True(at <= covered, $"words {covered}..{at} of the passage are in no window");
            Assert.True(at + own.Length > covered, $"a window holds nothing the one before it lacks: {body}");
            covered = Math.Max(covered, at + own.Length);
        }
        Assert.Equal(words.Length, covered);
    }

    [Fact]
    public void The_windows_of_every_real_passage_cover_it_whole_in_order()
    {
        var count = 0;
        foreach (var passage in RealPassages)
        {
            AssertWindows(passage.Section, passage.Text);
            count++;
        }
        Assert.True(count > 500, $"{count} passages");
    }

    [Fact]
    public void Windows_of_random_text_cover_it_whole_in_order()
    {
        var sentence = Gen.Select(Gen.String[Gen.Char["abc xyz"], 0, 120], Gen.Int[0, 5], (s, end) => s + new[] { ".", "!", "?", ":", "", "\n" }[end]);
        Gen.Select(Gen.String[Gen.Char["ab ›"], 0, 20], sentence.Array[0, 30])
            .Sample((section, sentences) => AssertWindows(section, string.Join(' ', sentences)));
    }

    [Fact]
    public void A_window_says_what_it_is_about_and_holds_whole_sentences()
    {
        var windows = PassageWindows.Of("Logging HOWTO › Basic Logging Tutorial › Logging to a file",
            "A very common situation is that of recording logging events in a file. Be sure to try the following. " + new string('x', 280) + ". Last one.");
        Assert.Equal(
        [
            "Logging to a file: A very common situation is that of recording logging events in a file. Be sure to try the following.",
            "Logging to a file: " + new string('x', 280) + ". Last one.",
        ], windows);
    }
}
