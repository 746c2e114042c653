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
}
