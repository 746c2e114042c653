using CodeMentor.Core.Markdown;

namespace CodeMentor.Tests.Unit;

public sealed class MarkdownTests
{
    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("<img src=x onerror=alert(1)>")]
    [InlineData("[click](javascript:alert(1))")]
    [InlineData("<iframe src=\"https://evil.example\"></iframe>")]
    public void Raw_html_and_script_urls_never_reach_the_page(string markdown)
    {
        var html = SafeMarkdown.ToHtml(markdown);

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<iframe", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("javascript:", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Html_inside_code_is_shown_as_text()
    {
        var html = SafeMarkdown.ToHtml("```html\n<script>alert(1)</script>\n```");

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<script>alert(1)</script>", System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Replace(html, "<[^>]+>", "")));
        Assert.Contains("class=\"language-html\"", html);
    }

    [Fact]
    public void Fenced_code_is_highlighted_with_classes_the_sanitizer_keeps()
    {
        var html = SafeMarkdown.ToHtml("```csharp\nvar name = \"Ada\"; // greet\n```\n\n```unknown-lang\nplain <text>\n```");

        Assert.Contains("<span class=\"keyword\">var</span>", html);
        Assert.Matches("<span class=\"string\">(&quot;|\")Ada(&quot;|\")</span>", html);
        Assert.Contains("<span class=\"comment\">// greet</span>", html);
        Assert.Contains("<code class=\"language-unknown-lang\">plain &lt;text&gt;", html);
    }

    [Fact]
    public void Links_open_safely()
    {
        Assert.Contains("rel=\"nofollow noopener noreferrer\"", SafeMarkdown.ToHtml("[docs](https://learn.microsoft.com)"));
    }

    [Fact]
    public void Incremental_rendering_matches_a_full_render_of_the_same_text()
    {
        const string reply = "# Loops\n\nA loop repeats.\n\n```python\nfor i in range(3):\n\n    print(i)\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nDone **now**.";
        var markdown = new IncrementalMarkdown();
        string html = "";
        for (var i = 1; i <= reply.Length; i++)
        {
            html = markdown.Update(reply[..i]);
        }

        Assert.Equal(SafeMarkdown.ToHtml(reply), html);
    }

    [Fact]
    public void Finished_blocks_are_not_parsed_again_on_every_token()
    {
        var paragraphs = string.Concat(Enumerable.Range(1, 200).Select(i => $"Paragraph {i} explains one more idea in a sentence.\n\n"));
        var markdown = new IncrementalMarkdown();
        for (var i = 0; i < paragraphs.Length; i += 4) // ~4 characters per token
        {
            markdown.Update(paragraphs[..Math.Min(paragraphs.Length, i + 4)]);
        }

        // Re-parsing everything on each update would cost ~ length² / 8 ≈ 13 million characters.
        Assert.True(markdown.CharactersRendered < paragraphs.Length * 20, $"parsed {markdown.CharactersRendered:N0} characters");
    }

    [Fact]
    public void A_replaced_text_is_rendered_from_scratch()
    {
        var markdown = new IncrementalMarkdown();
        markdown.Update("first answer\n\nmore");

        Assert.Equal(SafeMarkdown.ToHtml("second"), markdown.Update("second"));
    }
}
