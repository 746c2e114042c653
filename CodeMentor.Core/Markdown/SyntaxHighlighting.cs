using ColorCode;
using Markdig;
using Markdig.Renderers;
using Markdig.Renderers.Html;
using Markdig.Syntax;

namespace CodeMentor.Core.Markdown;

/// <summary>Highlights fenced code blocks on the server with ColorCode (spans with CSS classes, so
/// the sanitizer keeps them and no script runs in the browser). Unknown languages render plain.</summary>
public sealed class SyntaxHighlightingExtension : IMarkdownExtension
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

    protected override void Write(HtmlRenderer renderer, CodeBlock block)
    {
        var info = (block as FencedCodeBlock)?.Info?.Trim() ?? "";
        var language = info.Length > 0 && Aliases.TryGetValue(info, out var id) ? Languages.FindById(id) : null;
        // Every code block gets a head with its language and a copy button (codementor.js copies the
        // code only), and a focusable <pre> so a keyboard can scroll a long line sideways.
        renderer.Write("<div class=\"code-block\"><div class=\"code-head\"><span class=\"code-lang\">")
            .WriteEscape(info.Length > 0 ? info : "code")
            .Write("</span><button type=\"button\" class=\"code-copy\" data-copy-code=\"\">Copy</button></div>");
        renderer.Write("<pre tabindex=\"0\"><code");
        if (info.Length > 0)
        {
            renderer.Write(" class=\"language-").WriteEscape(info.ToLowerInvariant()).Write("\"");
        }
        renderer.Write(">");
        if (language is null)
        {
            renderer.WriteLeafRawLines(block, true, true);
        }
        else
        {
            var lines = block.Lines;
            var code = lines.Count == 0 ? "" : string.Join('\n', lines.Lines.Take(lines.Count).Select(l => l.Slice.ToString()));
            // ColorCode wraps its spans in <div><pre>; only the spans inside are kept.
            var highlighted = new HtmlClassFormatter().GetHtmlString(code, language);
            var start = highlighted.IndexOf("<pre>", StringComparison.Ordinal) + "<pre>".Length;
            var end = highlighted.LastIndexOf("</pre>", StringComparison.Ordinal);
            renderer.Write(start >= "<pre>".Length && end >= start ? highlighted[start..end].Trim('\r', '\n') : System.Net.WebUtility.HtmlEncode(code));
        }
        renderer.WriteLine("</code></pre></div>");
    }
}
