using Ganss.Xss;
using Markdig;
using Markdig.Renderers;
using Markdig.Syntax;

namespace CodeMentor.Core.Markdown;

/// <summary>Markdown from models and learners to safe HTML: Markdig with raw HTML disabled, then
/// HtmlSanitizer as a second line of defence (links, attributes, URL schemes).</summary>
public static class SafeMarkdown
{
    internal static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseAutoLinks()
        .UseTaskLists()
        .UseListExtras()
        .Use<SyntaxHighlightingExtension>()
        .Build();

    // HtmlSanitizer is safe to share between threads once configured.
    private static readonly HtmlSanitizer Sanitizer = CreateSanitizer();

    public static string ToHtml(string markdown)
    {
        if (string.IsNullOrEmpty(markdown))
        {
            return string.Empty;
        }
        var html = Markdig.Markdown.ToHtml(markdown, Pipeline);
        return Sanitizer.Sanitize(html);
    }

    /// <summary>Parses without rendering (the incremental renderer renders blocks one range at a time).</summary>
    internal static MarkdownDocument Parse(string markdown) => Markdig.Markdown.Parse(markdown, Pipeline);

    /// <summary>Renders some top-level blocks of a parsed document to safe HTML. Rendering every
    /// block of a document this way, in any ranges, gives exactly <see cref="ToHtml"/>.</summary>
    internal static string Render(MarkdownDocument document, int from, int to)
    {
        if (from >= to)
        {
            return string.Empty;
        }
        using var writer = new StringWriter();
        var renderer = new HtmlRenderer(writer);
        Pipeline.Setup(renderer);
        for (var i = from; i < to; i++)
        {
            renderer.Render(document[i]);
        }
        writer.Flush();
        return Sanitizer.Sanitize(writer.ToString());
    }

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedSchemes.Clear();
        sanitizer.AllowedSchemes.Add("http");
        sanitizer.AllowedSchemes.Add("https");
        sanitizer.AllowedSchemes.Add("mailto");
        sanitizer.AllowedAttributes.Add("class");
        sanitizer.AllowedTags.Remove("form");
        sanitizer.AllowedTags.Add("input"); // task list checkboxes; made inert below, other input types removed
        sanitizer.AllowedAttributes.Add("checked");
        sanitizer.AllowedAttributes.Add("disabled");
        // The code block head (SyntaxHighlightingExtension): raw HTML is off, so only our renderer writes these.
        sanitizer.AllowedTags.Add("button");
        sanitizer.AllowedAttributes.Add("data-copy-code");
        sanitizer.AllowedAttributes.Add("tabindex");
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Dom.IElement element)
            {
                if (element.TagName.Equals("a", StringComparison.OrdinalIgnoreCase))
                {
                    element.SetAttribute("rel", "nofollow noopener noreferrer");
                    element.SetAttribute("target", "_blank");
                }
                else if (element.TagName.Equals("button", StringComparison.OrdinalIgnoreCase))
                {
                    element.SetAttribute("type", "button"); // never a submit button, whatever wrote it
                }
                else if (element.HasAttribute("tabindex") && !element.TagName.Equals("pre", StringComparison.OrdinalIgnoreCase))
                {
                    element.RemoveAttribute("tabindex");
                }
                if (element.TagName.Equals("input", StringComparison.OrdinalIgnoreCase))
                {
                    element.SetAttribute("disabled", "disabled");
                    if (element.GetAttribute("type") != "checkbox")
                    {
                        element.Remove();
                    }
                }
            }
        };
        return sanitizer;
    }
}
