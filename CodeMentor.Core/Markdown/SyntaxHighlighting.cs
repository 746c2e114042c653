using ColorCode;
using Markdig;
using Markdig.Renderers;
using Markdig.Renderers.Html;
using Markdig.Syntax;

namespace CodeMentor.Core.Markdown;

/// <summary>Highlights fenced code blocks on the server with ColorCode (spans with CSS classes, so
/// the sanitizer keeps them and no script runs in the browser). Unknown languages render plain.</summary>
internal sealed class SyntaxHighlightingExtension : IMarkdownExtension
{
    public void Setup(MarkdownPipelineBuilder pipeline)
    {
    }

    public void Setup(MarkdownPipeline pipeline, IMarkdownRenderer renderer)
    {
        if (renderer is HtmlRenderer html)
        {
            html.ObjectRenderers.Replace<CodeBlockRenderer>(new HighlightingCodeBlockRenderer());
        }
    }
}

internal sealed class HighlightingCodeBlockRenderer : HtmlObjectRenderer<CodeBlock>
{
    internal static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["cs"] = "c#", ["csharp"] = "c#", ["c#"] = "c#", ["js"] = "javascript", ["javascript"] = "javascript",
        ["ts"] = "typescript", ["typescript"] = "typescript", ["py"] = "python", ["python"] = "python", ["python3"] = "python",
        ["cpp"] = "cpp", ["c++"] = "cpp", ["c"] = "cpp", ["java"] = "java", ["sql"] = "sql", ["html"] = "html", ["xml"] = "xml",
        ["css"] = "css", ["ps1"] = "powershell", ["powershell"] = "powershell", ["fs"] = "f#", ["fsharp"] = "f#", ["php"] = "php",
    };

    /// <summary>ColorCode's spans for the code (HTML-escaped text inside), or null for a language it does not know.</summary>
    internal static string? HighlightedSpans(string code, string language)
    {
        var found = Aliases.TryGetValue(language.Replace(" ", ""), out var id) ? Languages.FindById(id) : null;
        if (found is null)
        {
            return null;
        }
        // ColorCode wraps its spans in <div><pre>; only the spans inside are kept.
        var highlighted = new HtmlClassFormatter().GetHtmlString(code, found);
        var start = highlighted.IndexOf("<pre>", StringComparison.Ordinal) + "<pre>".Length;
        var end = highlighted.LastIndexOf("</pre>", StringComparison.Ordinal);
        return start >= "<pre>".Length && end >= start ? highlighted[start..end].Trim('\r', '\n') : System.Net.WebUtility.HtmlEncode(code);
    }

    protected override void Write(HtmlRenderer renderer, CodeBlock block)
    {
        var info = (block as FencedCodeBlock)?.Info?.Trim() ?? "";
        // Every code block gets a head with its language and a copy button (codementor.js copies the
        // code only), and a focusable <pre> so a keyboard can scroll a long line sideways.
        renderer.Write("<div class=\"code-block\">").Write(CodeBlockHtml.Head(info, copy: true));
        renderer.Write("<pre tabindex=\"0\"><code");
        if (info.Length > 0)
        {
            renderer.Write(" class=\"language-").WriteEscape(info.ToLowerInvariant()).Write("\"");
        }
        renderer.Write(">");
        var lines = block.Lines;
        var code = lines.Count == 0 ? "" : string.Join('\n', lines.Lines.Take(lines.Count).Select(l => l.Slice.ToString()));
        if (info.Length > 0 && HighlightedSpans(code, info) is { } spans)
        {
            renderer.Write(spans);
        }
        else
        {
            renderer.WriteLeafRawLines(block, true, true);
        }
        renderer.WriteLine("</code></pre></div>");
    }
}

/// <summary>The head every code block shows (language, and a copy button once the block is finished): one
/// definition for rendered Markdown, a block still streaming, and a reviewed file.</summary>
public static class CodeBlockHtml
{
    public static string Head(string language, bool copy) =>
        "<div class=\"code-head\"><span class=\"code-lang\">" + System.Net.WebUtility.HtmlEncode(language.Length > 0 ? language : "code") + "</span>" +
        (copy ? "<button type=\"button\" class=\"code-copy\" data-copy-code=\"\">Copy</button>" : "") + "</div>";
}
