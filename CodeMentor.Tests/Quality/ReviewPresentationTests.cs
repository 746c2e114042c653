using CodeMentor.Core.Markdown;
using CodeMentor.Core.Tutoring.Reviews;

namespace CodeMentor.Tests.Quality;

/// <summary>How a review is titled in the history and how its code is shown (numbered lines whose numbers are not text).</summary>
public sealed class ReviewPresentationTests
{
    [Theory]
    [InlineData("Python", "inventory.py", "x = 1", "inventory.py")]
    [InlineData("Python", "a.py, b.py, c.py", "x = 1", "a.py + 2 more")]
    [InlineData("Python", "", "# totals\nimport math\n\ndef sum_even(numbers):\n    return 0", "Python · sum_even()")]
    [InlineData("C#", "", "using System;\n\npublic class Inventory\n{\n}", "C# · Inventory")]
    [InlineData("C#", "", "int x = 1;\nConsole.WriteLine(x);", "C# · int x = 1;")]
    [InlineData("JavaScript", "", "// helper\nfunction total(items) {\n  return 0;\n}", "JavaScript · total()")]
    [InlineData("Go", "", "package main\n\nfunc (s *Shop) Add(item string) {\n}", "Go · Add()")]
    [InlineData("Rust", "", "fn main() {\n}", "Rust · main()")]
    [InlineData("Java", "", "public static int square(int x) {\n  return x * x;\n}", "Java · square()")]
    public void A_review_is_titled_by_its_file_or_what_the_code_declares(string language, string files, string code, string title) =>
        Assert.Equal(title, ReviewTitles.For(language, files, code));

    [Fact]
    public void Highlighted_code_has_one_line_element_per_line_even_inside_a_multi_line_comment()
    {
        var html = CodeLines.Highlight("/* one\n   two */\nint x = 1;\n", "C#");

        var lines = html.Split('\n');
        Assert.Equal(3, lines.Length); // a final newline adds no empty line
        Assert.All(lines, line =>
        {
            Assert.StartsWith("<span class=\"line\">", line);
            Assert.Equal(Count(line, "<span"), Count(line, "</span>")); // every line balanced on its own
        });
        Assert.Contains("two */", lines[1]);
        Assert.Contains("class=\"comment\"", lines[1]); // still highlighted as a comment on its second line
    }

    [Fact]
    public void Code_in_an_unknown_language_is_escaped_not_interpreted()
    {
        var html = CodeLines.Highlight("<script>alert(1)</script>\nok", "Other");

        Assert.Equal("<span class=\"line\">&lt;script&gt;alert(1)&lt;/script&gt;</span>\n<span class=\"line\">ok</span>", html);
    }

    private static int Count(string text, string part) => (text.Length - text.Replace(part, "").Length) / part.Length;
}
