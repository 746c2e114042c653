using System.Text;
using System.Text.Json;
using CodeMentor.Core.Courses;
using CodeMentor.Core.Markdown;
using CsCheck;
using Markdig;
using Markdig.Syntax;

namespace CodeMentor.Tests.Unit;

/// <summary>A hints-only course's replies never show a code block longer than two lines, however the stream is cut.</summary>
public sealed class CodeBlockLimiterTests
{
    private static string Limit(string reply, int max = CodeBlockLimiter.HintsOnlyLines, IEnumerable<string>? chunks = null)
    {
        var limiter = new CodeBlockLimiter(max);
        var output = new StringBuilder();
        foreach (var chunk in chunks ?? [reply])
        {
            output.Append(limiter.Process(chunk));
        }
        return output.Append(limiter.Complete()).ToString();
    }

    private static string Note => new CodeBlockLimiter(CodeBlockLimiter.HintsOnlyLines).Note;

    [Fact]
    public void A_block_of_two_lines_is_shown_and_a_longer_one_is_replaced_by_the_note()
    {
        var small = "Try this shape:\n```python\nfor x in xs:\n    ...\n```\nWhat goes in the body?";
        Assert.Equal(small, Limit(small));
        var solution = "Here you go:\n```python\ndef total(xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s\n```\nThat is all.";
        Assert.Equal("Here you go:\n" + Note + "That is all.", Limit(solution));
    }

    [Theory]
    [InlineData("~~~\na\nb\nc\n~~~\n")] // tildes
    [InlineData("1. Step one:\n   ```js\n   let a = 1;\n   let b = 2;\n   let c = 3;\n   ```\n")] // in a list item
    [InlineData("- ```\n  a\n  b\n  c\n  ```\n")] // the fence on the list marker's line
    [InlineData("> ```\n> a\n> b\n> c\n> ```\n")] // in a quote
    [InlineData("````md\n```\na\nb\n```\n````\n")] // a longer fence holds a shorter one: one block of four lines
    [InlineData("```\na\nb\nc")] // never closed
    [InlineData("        ```\n        a\n        b\n        c\n        ```\n")] // indented further than CommonMark allows: still held
    public void Long_code_is_held_back_wherever_its_fence_stands(string reply)
    {
        var limited = Limit(reply);
        Assert.Contains(Note.TrimEnd('\n'), limited);
        Assert.DoesNotContain("b\n", limited);
    }

    [Theory]
    [InlineData("Here you go:\n\n    def total(xs):\n        s = 0\n        for x in xs:\n            s += x\n        return s\n\nThat is all.")]
    [InlineData("# Answer\n    s = 0\n    for x in xs:\n        s += x\n")] // after a heading, no blank line needed
    [InlineData("1. Step one:\n\n       s = 0\n       for x in xs:\n           s += x\n")] // in a list item: its content column + 4
    [InlineData(">     s = 0\n>     for x in xs:\n>         s += x\n")] // in a quote
    [InlineData("Text\n\n\ts = 0\n\tfor x in xs:\n\t\ts += x")] // tabs, and never ended by a newline
    [InlineData("Text\n\n    s = 0\n\n    for x in xs:\n\n        s += x\n\nNext\n")] // blank lines inside the block
    public void Long_indented_code_is_held_back(string reply)
    {
        var limited = Limit(reply);
        Assert.Contains(Note.TrimEnd('\n'), limited);
        Assert.DoesNotContain("s += x", limited);
        var streamed = Limit(reply, chunks: reply.Select(c => c.ToString()));
        Assert.Equal(limited, streamed);
    }

    [Theory]
    [InlineData("Text\n\n    s = 0\n    return s\n\nNext")] // two lines of indented code are within the limit
    [InlineData("- one\n    - two\n        - three\n    - four\n        more of four\n")] // nested lists, four spaces a level
    [InlineData("1.  First step\n\n    explained in a paragraph\n    that goes on\n    and on\n")] // a list item's own paragraph
    [InlineData("A paragraph\n    continued by an indented line\n    and another\n    and another\n")] // indented code cannot interrupt a paragraph
    public void Indented_text_that_is_not_long_code_passes_unchanged(string reply)
    {
        Assert.Equal(reply, Limit(reply));
        Assert.Equal(reply, Limit(reply, chunks: reply.Select(c => c.ToString())));
    }

    [Theory]
    [InlineData("Use `len(xs)` and ```inline``` code freely.\n")]
    [InlineData("``` not a fence because of ` in its info\na\nb\nc\n")]
    [InlineData("--- \n* * *\n1. one\n2. two\n\n10 apples and 12 pears\n")]
    [InlineData("")]
    public void Text_without_long_fenced_code_passes_unchanged(string reply) => Assert.Equal(reply, Limit(reply));

    /// <summary>The 652 examples of the CommonMark spec (Markdown no one here wrote): with no limit every one passes through
    /// unchanged, and with the hints-only limit no code block (fenced or indented) that Markdig finds in the result, with
    /// CommonMark alone or with the portal's extensions, is longer than two lines.</summary>
    [Fact]
    public void On_every_commonmark_spec_example_nothing_is_changed_without_a_limit_and_no_long_code_block_survives_it()
    {
        var spec = JsonSerializer.Deserialize<List<JsonElement>>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "CommonMark", "spec.json")))!
            .Select(e => e.GetProperty("markdown").GetString()!).ToList();
        Assert.Equal(652, spec.Count);
        var leaks = new List<string>();
        var held = 0;
        foreach (var markdown in spec)
        {
            Assert.Equal(markdown, Limit(markdown, int.MaxValue));
            var limited = Limit(markdown);
            held += limited == markdown ? 0 : 1;
            var blocks = Markdig.Markdown.Parse(limited).Descendants<CodeBlock>().Concat(SafeMarkdown.Parse(limited).Descendants<CodeBlock>());
            if (blocks.Any(block => block.Lines.ToString().Split('\n').Count(l => l.Trim().Length > 0) > CodeBlockLimiter.HintsOnlyLines))
            {
                leaks.Add(markdown);
            }
        }
        Assert.True(leaks.Count == 0, $"{leaks.Count} examples kept a long code block:\n" + string.Join("\n---\n", leaks.Take(5)));
        Assert.InRange(held, 1, 652); // few spec examples have a fenced block of three lines or more
    }

    /// <summary>Streamed in any chunks, the limiter gives exactly what it gives for the whole reply at once.</summary>
    [Fact]
    public void Any_chunking_gives_the_one_shot_result()
    {
        string[] pieces = ["```", "~~~", "````", "python", "\n", " ", "   ", "    ", "\t", "- ", "> ", "1. ", "a", "b = 1", "`", "text", "\n\n", "x", "# h"];
        Gen.Select(Gen.Int[0, pieces.Length - 1].Array[0, 60], Gen.Int[1, 7].Array[1, 30]).Sample((picked, cuts) =>
        {
            var reply = string.Concat(picked.Select(i => pieces[i]));
            var chunks = new List<string>();
            var at = 0;
            for (var i = 0; at < reply.Length; i++)
            {
                var length = Math.Min(cuts[i % cuts.Length], reply.Length - at);
                chunks.Add(reply.Substring(at, length));
                at += length;
            }
            return Limit(reply, chunks: chunks) == Limit(reply);
        }, iter: 3000);
    }
}
