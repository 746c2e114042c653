using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace CodeMentor.Core.Markdown;

/// <summary>Code shown with highlighting, one <c>&lt;span class="line"&gt;</c> per line so the page can number
/// lines with CSS counters (numbers that are not part of the text, so copying copies only the code).</summary>
public static partial class CodeLines
{
    public static string Highlight(string code, string language)
    {
        code = code.Replace("\r\n", "\n");
        if (code.EndsWith('\n'))
        {
            code = code[..^1]; // a final newline ends the last line; it does not start another
        }
        var html = HighlightingCodeBlockRenderer.HighlightedSpans(code, language)?.Replace("\r\n", "\n") ?? WebUtility.HtmlEncode(code);
        return SplitLines(html);
    }

    /// <summary>Splits highlighted HTML at newlines; a span open across a newline (a multi-line comment or
    /// string) is closed at the end of its line and opened again on the next.</summary>
    internal static string SplitLines(string html)
    {
        var result = new StringBuilder(html.Length + 64);
        var open = new List<string>();
        result.Append("<span class=\"line\">");
        var i = 0;
        while (i < html.Length)
        {
            var c = html[i];
            if (c == '\n')
            {
                for (var k = 0; k < open.Count; k++)
                {
                    result.Append("</span>");
                }
                result.Append("</span>\n<span class=\"line\">");
                foreach (var tag in open)
                {
                    result.Append(tag);
                }
                i++;
            }
            else if (c == '<')
            {
                var close = html.IndexOf('>', i);
                var tag = html[i..(close + 1)];
                if (tag.StartsWith("</", StringComparison.Ordinal))
                {
                    if (open.Count > 0)
                    {
                        open.RemoveAt(open.Count - 1);
                    }
                }
                else if (OpeningSpan().IsMatch(tag))
                {
                    open.Add(tag);
                }
                result.Append(tag);
                i = close + 1;
            }
            else
            {
                result.Append(c);
                i++;
            }
        }
        foreach (var _ in open)
        {
            result.Append("</span>");
        }
        return result.Append("</span>").ToString();
    }

    [GeneratedRegex("^<span[ >]")]
    private static partial Regex OpeningSpan();
}
