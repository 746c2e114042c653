using System.Text.Json;
using CodeMentor.Core.Tutoring.Reviews;
using CodeMentor.Tests.EndToEnd;

namespace CodeMentor.Tests.Unit;

/// <summary>The issues of a review reply, in the layouts models give them: what the teacher's week groups.</summary>
public sealed class ReviewFindingsTests
{
    private static List<(string? Severity, string Text)> Extract(string reply) =>
        ReviewFindings.Extract(reply).Select(f => (f.Severity, f.Text)).ToList();

    [Fact]
    public void An_issue_per_line_with_its_severity_first_as_the_template_asks()
    {
        Assert.Equal([("High", "a semicolon is missing.")], Extract(TutoringFake.Review));
        Assert.Equal(
            [("High", "the loop never ends."), ("Low", "the name says little.")],
            Extract("## Summary\nOk.\n\n## Issues\n**High** – line 3: the loop never ends.\n**Low** (lines 4–6): the name says little.\n\n## Suggestions\n- Fix it."));
    }

    [Fact]
    public void Severities_as_sub_headings_with_the_issues_listed_under_them_and_inline_code_left_out()
    {
        var reply = """
            ## Summary
            A function that sums a list.

            ## Issues
            ### High
            - **Line 4** – `total` is used before it is assigned.
            - Lines 7-9: the loop never ends because `i` is not incremented.

            ### Low
            1. The function name `f` does not say what it does.

            ```python
            def f(xs):
                pass
            ```

            ## Suggestions
            - Use a for loop over the list.
            """;
        Assert.Equal(
            [
                ("High", "… is used before it is assigned."),
                ("High", "the loop never ends because … is not incremented."),
                ("Low", "The function name … does not say what it does."),
            ],
            Extract(reply));
    }

    [Fact]
    public void Severities_as_list_items_holding_the_issues_and_as_bold_paragraphs()
    {
        Assert.Equal(
            [("High", "Division by zero when the list is empty."), ("Medium", "The variable name … is unclear.")],
            Extract("## Issues\n- **High**\n  - Division by zero when the list is empty (line 3).\n- **Medium**\n  - The variable name `x` is unclear.\n\n## Suggestions\nNone."));
        Assert.Equal(
            [("High", "The function never returns a value."), ("Low", "Indentation is inconsistent across the file.")],
            Extract("## Issues\n\n**High**\n\nThe function never returns a value.\n\n**Low severity:**\n\nIndentation is inconsistent across the file.\n\n## What to learn next\nReturn values."));
    }

    [Fact]
    public void A_table_with_a_severity_column()
    {
        var reply = """
            ## Issues
            | Severity | Line | Issue |
            |---|---|---|
            | 🔴 High | 3 | Division by zero when the list is empty |
            | Minor | 5 | Unused import of `os` |

            ## Suggestions
            Check the length first.
            """;
        Assert.Equal([("High", "Division by zero when the list is empty"), ("Low", "Unused import of …")], Extract(reply));
    }

    [Fact]
    public void Items_without_a_severity_keep_none_and_a_severity_in_the_item_wins_over_its_heading()
    {
        Assert.Equal(
            [(null, "The loop variable shadows the list."), ("Medium", "Magic numbers make the intent unclear.")],
            Extract("## Problems found\n- The loop variable shadows the list.\n- Medium: Magic numbers make the intent unclear.\n"));
        Assert.Equal(
            [("Low", "Printing inside the function mixes work and output.")],
            Extract("## Issues\n### High\n- [Low] Printing inside the function mixes work and output.\n"));
    }

    [Theory]
    [InlineData("## Summary\nAll good.\n\n## Suggestions\n- Keep going.")] // no Issues section
    [InlineData("## Issues\nNone found.\n\n## Suggestions\n- Keep going.")]
    [InlineData("## Issues\n- No issues — the code is correct.\n## Suggestions\n- More tests.")]
    [InlineData("## Issues\n**High**\n\n## Suggestions\n- The issues are below the next heading, so they are not issues.")]
    [InlineData("")]
    public void A_review_without_issues_has_no_findings(string reply) => Assert.Empty(ReviewFindings.Extract(reply));

    /// <summary>Markdown no one here wrote, as the body of an Issues section: every example of the CommonMark spec is read
    /// without failing, and every finding it yields is prose of at least two words of three letters or more.</summary>
    [Fact]
    public void Every_commonmark_spec_example_as_an_issues_section_is_read_without_failing()
    {
        var spec = JsonSerializer.Deserialize<List<JsonElement>>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "CommonMark", "spec.json")))!;
        Assert.Equal(652, spec.Count);
        var found = 0;
        foreach (var example in spec)
        {
            var findings = ReviewFindings.Extract("## Issues\n\n" + example.GetProperty("markdown").GetString());
            Assert.All(findings, f => Assert.True(System.Text.RegularExpressions.Regex.Count(f.Text, @"\p{L}{3,}") >= 2, f.Text));
            found += findings.Count;
        }
        Assert.InRange(found, 1, 652 * 10);
    }
}
