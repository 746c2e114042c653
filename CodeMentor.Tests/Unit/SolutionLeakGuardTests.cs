using CodeMentor.Core.Tutoring;
using CodeMentor.Core.Tutoring.Exercises;

namespace CodeMentor.Tests.Unit;

/// <summary>The cases the independent evaluation found, one by one.</summary>
public sealed class SolutionLeakGuardTests
{
    private const string Python = """
        def count_vowels(text):
            count = 0
            for ch in text.lower():
                if ch in "aeiou":
                    count += 1
            return count
        """;

    private const string CSharp = """
        static string Caesar(string text, int shift)
        {
            var result = new System.Text.StringBuilder(text.Length);
            int k = ((shift % 26) + 26) % 26;
            foreach (char c in text)
            {
                if (c >= 'a' && c <= 'z') result.Append((char)('a' + (c - 'a' + k) % 26));
                else if (c >= 'A' && c <= 'Z') result.Append((char)('A' + (c - 'A' + k) % 26));
                else result.Append(' ' == c ? ' ' : c);
            }
            return result.ToString();
        }
        """;

    private static LeakVerdict Check(string reply, string solution = Python, string language = "Python", string? learner = null,
        IReadOnlyList<string>? earlier = null) =>
        SolutionLeakGuard.Check(reply, new LeakGuardContext(solution, language, LearnerCode: learner, EarlierReplies: earlier));

    [Fact]
    public void Contractions_around_the_code_do_not_hide_it()
    {
        var reply = $"Here's the idea, and it's simpler than you'd think:\n\n```python\n{Python}\n```\n\nIt doesn't need anything else, isn't that nice?";
        Assert.True(Check(reply).Leaks);
    }

    [Fact]
    public void A_char_literal_with_a_space_is_one_token_and_the_copy_is_caught()
    {
        var reply = $"You'd write it like this:\n```csharp\n{CSharp}\n```\nDon't forget the ' ' case.";
        Assert.True(Check(reply, CSharp, "C#").Leaks);
    }

    [Fact]
    public void Floor_division_is_code_not_a_comment()
    {
        const string solution = "def digit_sum(n):\n    total = 0\n    while n > 0:\n        total += n % 10\n        n //= 10\n    return total";
        var verdict = Check($"```python\n{solution}\n```", solution);
        Assert.True(verdict.Leaks);
        Assert.True(verdict.Coverage > 0.99, $"coverage {verdict.Coverage}");
    }

    [Fact]
    public void The_solution_written_line_by_line_as_inline_code_is_caught()
    {
        var sentences = string.Join(" ", Python.Split('\n').Select(l => $"Then write `{l.Trim()}`."));
        Assert.True(Check("Here's how you'd do it: " + sentences).Leaks);
    }

    [Fact]
    public void A_restyled_copy_is_caught()
    {
        Assert.True(Check("Try this:\n```python\ndef count_vowels(text):\n    return sum(1 for ch in text.lower() if ch in 'aeiou')\n```").Leaks);
    }

    [Fact]
    public void Quoting_the_learners_own_buggy_attempt_back_is_allowed()
    {
        const string attempt = "def count_vowels(text):\n    count = 0\n    for ch in text:\n        if ch in \"aeiou\":\n            count = 1\n    return count";
        var reply = $"VERDICT: NOT YET\n\nHere's your code:\n```python\n{attempt}\n```\nWhat does `count = 1` do the second time?";
        Assert.False(Check(reply, learner: attempt).Leaks);
    }

    [Fact]
    public void A_correction_of_at_most_two_lines_is_allowed()
    {
        const string attempt = "def count_vowels(text):\n    count = 0\n    for ch in text:\n        if ch in \"aeiou\":\n            count = 1\n    return count";
        Assert.False(Check("Change the last line of the loop so it adds one:\n```python\nif ch in \"aeiou\":\n    count += 1\n```", learner: attempt).Leaks);
    }

    [Fact]
    public void The_learners_code_with_its_mistakes_fixed_is_the_solution_not_a_quotation()
    {
        const string attempt = "def count_vowels(text):\n    count = 0\n    for ch in text:\n        if ch in \"aeiou\":\n            count = 1\n    return count";
        Assert.True(Check($"Here's your code, fixed:\n```python\n{Python}\n```", learner: attempt).Leaks);
    }

    [Fact]
    public void A_solution_leaked_a_third_at_a_time_is_caught_by_the_time_most_of_it_is_out()
    {
        const string solution = """
            def binary_search(items, target):
                low = 0
                high = len(items) - 1
                while low <= high:
                    mid = (low + high) // 2
                    if items[mid] == target:
                        return mid
                    if items[mid] < target:
                        low = mid + 1
                    else:
                        high = mid - 1
                return -1
            """;
        var lines = solution.Split('\n');
        var thirds = new[] { lines[..4], lines[4..8], lines[8..] }.Select(part => $"Next piece:\n```python\n{string.Join('\n', part)}\n```").ToList();

        Assert.False(Check(thirds[0], solution).Leaks); // alone, a third is a hint
        var earlier = new List<string>();
        var verdicts = thirds.Select(reply =>
        {
            var verdict = Check(reply, solution, earlier: earlier.ToList());
            earlier.Add(reply);
            return verdict.Leaks;
        }).ToList();
        Assert.Contains(true, verdicts);
        Assert.False(verdicts[0]);
    }

    [Fact]
    public void Starter_code_may_be_quoted_freely()
    {
        const string starter = "def count_vowels(text):\n    # TODO\n    pass";
        Assert.False(SolutionLeakGuard.Check($"You start from:\n```python\n{starter}\n```", new LeakGuardContext(Python, "Python", starter)).Leaks);
    }

    [Fact]
    public void Hints_in_prose_pass()
    {
        Assert.False(Check("What happens to your counter the second time you find a vowel? Try \"banana\" by hand — you'll see it.").Leaks);
        Assert.False(Check("Python's `str.lower()` turns every letter into lower case, so 'A' and 'a' are the same.").Leaks);
    }

    [Fact]
    public void The_replacement_is_a_nudge_that_changes_with_each_hint_and_never_leaks()
    {
        Assert.Contains("gave away too much", SolutionLeakGuard.Replacement(1));
        Assert.NotEqual(SolutionLeakGuard.Replacement(1), SolutionLeakGuard.Replacement(2));
        Assert.Contains("kept it back", SolutionLeakGuard.Replacement(1, AttemptKind.Feedback));
        Assert.False(Check(SolutionLeakGuard.Replacement(3)).Leaks);
    }
}

public sealed class SolvedVerdictCheckTests
{
    private const string Solution = "def sum_even(numbers):\n    total = 0\n    for n in numbers:\n        if n % 2 == 0:\n            total += n\n    return total\n";
    private const string Starter = "def sum_even(numbers):\n    # TODO\n    pass\n";

    [Theory]
    [InlineData("pass", "nothing beyond the starter code")]
    [InlineData("def sum_even(numbers):\n    # TODO\n    pass\n", "nothing beyond the starter code")]
    [InlineData("def sum_even(numbers):\n    return 0", "much shorter")]
    [InlineData("def sum_even(numbers):\n    total = 0\n    for n in numbers:\n        if (n % 2 == 0:\n            total += n\n    return total", "brackets do not balance")]
    public void An_attempt_that_cannot_be_a_solution_is_refuted(string attempt, string reason)
    {
        Assert.Contains(reason, SolvedVerdictCheck.Refute(attempt, Starter, Solution, "Python"));
    }

    [Fact]
    public void A_real_solution_in_another_style_is_accepted()
    {
        Assert.Null(SolvedVerdictCheck.Refute("def sum_even(numbers):\n    return sum(n for n in numbers if n % 2 == 0)", Starter, Solution, "Python"));
        Assert.Null(SolvedVerdictCheck.Refute(Solution, Starter, Solution, "Python"));
    }

    [Fact]
    public void Csharp_that_does_not_compile_is_refuted_with_the_compilers_words()
    {
        const string solution = "static int Twice(int x)\n{\n    return x * 2;\n}";
        Assert.Contains("CS0029", SolvedVerdictCheck.Refute("static int Twice(int x)\n{\n    return \"twice\";\n}", "", solution, "C#"));
        Assert.Null(SolvedVerdictCheck.Refute("static int Twice(int x) => x + x;", "", solution, "C#"));
    }
}
