using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;

namespace CodeMentor.Core.Courses.Material;

/// <summary>One passage as split from a document, before it is embedded and stored.</summary>
public sealed record PassageDraft(string Section, int? Page, string Text);

/// <summary>A document split into passages, with the title it names itself by (if any).</summary>
public sealed record SplitMaterial(string? Title, IReadOnlyList<PassageDraft> Passages);

/// <summary>Why an upload was refused, written for the teacher.</summary>
public sealed class MaterialRejectedException(string message) : Exception(message);

/// <summary>
/// Splits course material into passages along the document's own structure: a heading (and, in HTML, a
/// definition the page links to, such as a function's signature) always starts a new passage and every passage
/// knows the headings above it; code blocks stay whole unless longer than
/// a passage (then they are cut between lines); PDF passages never cross a page and carry its number.
/// Passages aim at <see cref="TargetLength"/> characters, about 220 tokens, so that each fits the
/// embedding model's 256-token window whole.
/// </summary>
public static partial class MaterialSplitter
{
    public const int TargetLength = 900;
    public const int MaxLength = 1600;

    /// <summary>Between the headings of a passage's section, outermost first ("5. Data Structures › 5.1. More on Lists").</summary>
    public const string SectionSeparator = " › ";

    private static readonly Dictionary<string, MaterialKind> KindsByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".md"] = MaterialKind.Markdown, [".markdown"] = MaterialKind.Markdown,
        [".txt"] = MaterialKind.Text, [".rst"] = MaterialKind.Text, [".text"] = MaterialKind.Text,
        [".html"] = MaterialKind.Html, [".htm"] = MaterialKind.Html,
        [".pdf"] = MaterialKind.Pdf,
        [".py"] = MaterialKind.Source, [".cs"] = MaterialKind.Source, [".java"] = MaterialKind.Source, [".js"] = MaterialKind.Source,
        [".ts"] = MaterialKind.Source, [".c"] = MaterialKind.Source, [".h"] = MaterialKind.Source, [".cpp"] = MaterialKind.Source,
        [".hpp"] = MaterialKind.Source, [".go"] = MaterialKind.Source, [".rs"] = MaterialKind.Source, [".sql"] = MaterialKind.Source,
        [".rb"] = MaterialKind.Source, [".kt"] = MaterialKind.Source, [".swift"] = MaterialKind.Source, [".php"] = MaterialKind.Source,
        [".sh"] = MaterialKind.Source, [".fs"] = MaterialKind.Source, [".scala"] = MaterialKind.Source,
    };

    /// <summary>What the upload form accepts, for its file picker and its message.</summary>
    public static string AcceptedExtensions => string.Join(",", KindsByExtension.Keys);

    public static MaterialKind? KindOf(string fileName) =>
        KindsByExtension.TryGetValue(Path.GetExtension(fileName ?? ""), out var kind) ? kind : null;

    /// <exception cref="MaterialRejectedException">Unknown format, not text, no text at all, or a broken PDF.</exception>
    public static SplitMaterial Split(string fileName, ReadOnlySpan<byte> content)
    {
        var kind = KindOf(fileName) ?? throw new MaterialRejectedException(
            $"\"{Path.GetFileName(fileName)}\" is not a format course material can be: upload Markdown, plain text, HTML, PDF or a source file ({AcceptedExtensions}).");
        if (content.IsEmpty)
        {
            throw new MaterialRejectedException($"\"{Path.GetFileName(fileName)}\" is empty.");
        }
        var split = kind switch
        {
            MaterialKind.Pdf => SplitPdf(content.ToArray()),
            MaterialKind.Markdown => SplitMarkdown(Decode(fileName, content)),
            MaterialKind.Html => SplitHtml(Decode(fileName, content)),
            MaterialKind.Source => SplitSource(Decode(fileName, content), Path.GetFileName(fileName)),
            _ => SplitText(Decode(fileName, content)),
        };
        return split.Passages.Count > 0 ? split
            : throw new MaterialRejectedException($"\"{Path.GetFileName(fileName)}\" has no text to learn from.");
    }

    private static string Decode(string fileName, ReadOnlySpan<byte> content)
    {
        // A NUL byte never occurs in UTF-8 text; it does in images, archives and office files.
        if (content.IndexOf((byte)0) >= 0)
        {
            throw new MaterialRejectedException($"\"{Path.GetFileName(fileName)}\" looks like a binary file, not text.");
        }
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(content);
        }
        catch (DecoderFallbackException)
        {
            throw new MaterialRejectedException($"\"{Path.GetFileName(fileName)}\" is not UTF-8 text; save it as UTF-8 (or upload it as PDF) and try again.");
        }
        return text.TrimStart('\uFEFF').ReplaceLineEndings("\n");
    }

    // ---- Markdown: Markdig's block tree; each block's own source text is kept (code fences and all).

    private static SplitMaterial SplitMarkdown(string markdown)
    {
        var document = Markdig.Markdown.Parse(markdown);
        var packer = new PassagePacker();
        string? title = null;
        foreach (var block in document)
        {
            switch (block)
            {
                case HeadingBlock heading:
                    var text = PlainText(heading.Inline);
                    title ??= heading.Level == 1 ? text : null;
                    packer.Heading(heading.Level, text);
                    break;
                case CodeBlock code:
                    packer.Add(Source(markdown, code), isCode: true);
                    break;
                case ListBlock list when list.Span.Length > TargetLength:
                    foreach (var item in list)
                    {
                        packer.Add(Source(markdown, item), isCode: false);
                    }
                    break;
                case ThematicBreakBlock or LinkReferenceDefinitionGroup:
                    break;
                default:
                    packer.Add(Source(markdown, block), isCode: false);
                    break;
            }
        }
        return new(title, packer.Finish());
    }

    private static string Source(string markdown, Block block) =>
        block.Span.Length <= 0 ? "" : markdown.Substring(block.Span.Start, Math.Min(block.Span.Length, markdown.Length - block.Span.Start));

    private static string PlainText(ContainerInline? inline)
    {
        var text = new StringBuilder();
        foreach (var child in inline?.Descendants() ?? [])
        {
            switch (child)
            {
                case LiteralInline literal: text.Append(literal.Content); break;
                case CodeInline code: text.Append(code.Content); break;
            }
        }
        return Collapse(text.ToString());
    }

    // ---- HTML: the page's main content; headings, preformatted code, and every block that holds only text.

    private static readonly HashSet<string> BlockTags =
        ["P", "PRE", "DIV", "SECTION", "ARTICLE", "UL", "OL", "DL", "TABLE", "BLOCKQUOTE", "H1", "H2", "H3", "H4", "H5", "H6", "FIGURE", "MAIN", "ASIDE", "LI", "DT", "DD", "TR", "THEAD", "TBODY"];

    private static SplitMaterial SplitHtml(string html)
    {
        var document = new HtmlParser().ParseDocument(html);
        var root = document.QuerySelector("[role=main]") ?? document.QuerySelector("main") ?? document.QuerySelector("article")
            ?? (IElement?)document.Body ?? throw new MaterialRejectedException("The HTML has no body.");
        // Navigation, scripts and heading permalinks ("¶") are page furniture, not material.
        foreach (var furniture in root.QuerySelectorAll("script, style, nav, header, footer, noscript, template, a.headerlink").ToList())
        {
            furniture.Remove();
        }
        var packer = new PassagePacker();
        string? title = null;
        var definitionDepth = 0;
        Walk(root);
        title ??= Collapse(document.Title ?? "");
        return new(title.Length > 0 ? title : null, packer.Finish());

        // A block's inline content (text and inline elements between blocks) is one paragraph; blocks are walked.
        void Walk(IElement element)
        {
            var inline = new StringBuilder();
            foreach (var node in element.ChildNodes)
            {
                if (node is IElement child && IsBlock(child))
                {
                    Paragraph(inline.ToString(), "");
                    inline.Clear();
                    Block(child);
                }
                else if (node is IElement or IText)
                {
                    inline.Append(node.TextContent);
                }
            }
            Paragraph(inline.ToString(), "");
        }

        void Block(IElement block)
        {
            var tag = block.TagName;
            if (Heading(tag) is { } level)
            {
                var text = Collapse(block.TextContent);
                if (text.Length > 0)
                {
                    title ??= level == 1 ? text : null;
                    packer.Heading(level, text);
                }
            }
            else if (tag == "PRE")
            {
                packer.Add("```\n" + block.TextContent.TrimEnd('\n') + "\n```", isCode: true);
            }
            else if (tag == "DL" && block.Children.Any(IsDefinitionTerm))
            {
                Definitions(block);
            }
            else if (tag == "TR")
            {
                Paragraph(string.Join(" | ", block.Children.Select(cell => Collapse(cell.TextContent))), "");
            }
            else if (block.Children.Any(IsBlock))
            {
                Walk(block);
            }
            else
            {
                Paragraph(block.TextContent, tag is "LI" or "DT" ? "- " : "");
            }
        }

        // A reference page's units are its definitions: a term with an id (a function's or class's signature, which
        // the page links to) heads the passages of its description, under the page's headings and any enclosing
        // definition (a class's methods), so a passage never mixes two functions and cites the one it describes.
        void Definitions(IElement list)
        {
            var level = DefinitionLevel + definitionDepth++;
            foreach (var item in list.Children)
            {
                if (IsDefinitionTerm(item) && Collapse(item.TextContent) is { Length: > 0 } signature)
                {
                    packer.Heading(level, signature);
                }
                Block(item);
            }
            packer.EndSection(level);
            definitionDepth--;
        }

        void Paragraph(string text, string prefix)
        {
            text = Collapse(text);
            if (text.Length > 0)
            {
                packer.Add(prefix + text, isCode: false);
            }
        }
    }

    /// <summary>Definitions rank below every HTML heading (h1–h6), nested ones below their enclosing definition.</summary>
    private const int DefinitionLevel = 7;

    private static bool IsDefinitionTerm(IElement element) => element.TagName == "DT" && !string.IsNullOrEmpty(element.Id);

    private static int? Heading(string tag) => tag.Length == 2 && tag[0] == 'H' && tag[1] is >= '1' and <= '6' ? tag[1] - '0' : null;

    private static bool IsBlock(IElement element) => BlockTags.Contains(element.TagName);

    // ---- Plain text: paragraphs between blank lines; reStructuredText-style underlined headings.

    private static SplitMaterial SplitText(string text)
    {
        var lines = text.Split('\n');
        var packer = new PassagePacker();
        var levels = new List<char>();
        var paragraph = new StringBuilder();
        string? title = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var next = i + 1 < lines.Length ? lines[i + 1] : "";
            if (line.Trim().Length > 0 && !Underline().IsMatch(line) && Underline().IsMatch(next) && next.Trim().Length >= line.Trim().Length)
            {
                EndParagraph();
                var mark = next.Trim()[0];
                if (!levels.Contains(mark))
                {
                    levels.Add(mark);
                }
                title ??= line.Trim();
                packer.Heading(levels.IndexOf(mark) + 1, line.Trim());
                i++;
            }
            else if (line.Trim().Length == 0 || Underline().IsMatch(line))
            {
                EndParagraph();
            }
            else
            {
                paragraph.Append(line).Append('\n');
            }
        }
        EndParagraph();
        return new(title, packer.Finish());

        void EndParagraph()
        {
            if (paragraph.Length > 0)
            {
                packer.Add(paragraph.ToString().TrimEnd(), isCode: false);
                paragraph.Clear();
            }
        }
    }

    [GeneratedRegex(@"^\s*([=\-~^*#""'`+])\1{2,}\s*$")]
    private static partial Regex Underline();

    // ---- Source files: runs of lines, cut at blank lines where possible; the section says which lines.

    private static SplitMaterial SplitSource(string source, string fileName)
    {
        var lines = source.Split('\n');
        var passages = new List<PassageDraft>();
        var start = 0;
        while (start < lines.Length)
        {
            var end = start;
            var length = 0;
            var lastBlank = -1;
            while (end < lines.Length && (end == start || length + lines[end].Length + 1 <= TargetLength))
            {
                length += lines[end].Length + 1;
                if (lines[end].Trim().Length == 0 && end > start)
                {
                    lastBlank = end;
                }
                end++;
            }
            // Prefer to end at a blank line in the second half of the run.
            if (end < lines.Length && lastBlank > start + (end - start) / 2)
            {
                end = lastBlank + 1;
            }
            var text = string.Join('\n', lines[start..end]).Trim('\n');
            if (text.Trim().Length > 0)
            {
                var first = start + 1 + lines[start..end].TakeWhile(l => l.Trim().Length == 0).Count();
                passages.Add(new($"{fileName}, lines {first}–{end}", null, text.Length > MaxLength ? text[..MaxLength] : text));
            }
            start = end;
        }
        return new(fileName, passages);
    }

    // ---- PDF: PdfPig's text in reading order, page by page, under the headings of the PDF's outline (bookmarks).

    private static SplitMaterial SplitPdf(byte[] content)
    {
        PdfDocument document;
        try
        {
            document = PdfDocument.Open(content);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new MaterialRejectedException("The PDF could not be read (it may be damaged or encrypted): " + ex.Message);
        }
        using (document)
        {
            var packer = new PassagePacker();
            var outline = Outline(document);
            foreach (var page in document.GetPages())
            {
                packer.Page(page.Number);
                var text = ContentOrderTextExtractor.GetText(page).ReplaceLineEndings("\n");
                var paragraphs = BlankLines().Split(text).Select(p => p.Trim()).Where(p => p.Length > 0).ToList();
                // The outline's headings on this page go where their title starts a paragraph (the last such paragraph, so
                // a table of contents on the same page is passed over); one whose title is not found in the text (drawn
                // as an image, split oddly) heads the page, so what follows still carries it.
                var headings = outline.Where(h => h.Page == page.Number)
                    .Select(h => (Heading: h, At: paragraphs.FindLastIndex(p => StartsWithTitle(p, h.Title))))
                    .ToList();
                foreach (var (heading, _) in headings.Where(h => h.At < 0))
                {
                    packer.Heading(heading.Level, heading.Title);
                }
                for (var i = 0; i < paragraphs.Count; i++)
                {
                    var rest = paragraphs[i];
                    foreach (var (heading, _) in headings.Where(h => h.At == i))
                    {
                        packer.Heading(heading.Level, heading.Title);
                        rest = rest[TitleLength(rest, heading.Title)..].Trim();
                    }
                    if (rest.Length > 0)
                    {
                        packer.Add(rest, isCode: false);
                    }
                }
            }
            var passages = packer.Finish();
            if (passages.Count == 0 && document.NumberOfPages > 0)
            {
                throw new MaterialRejectedException("The PDF has no text layer (scanned pages?); text recognition is not supported. Upload a PDF with selectable text.");
            }
            var title = document.Information.Title;
            return new(string.IsNullOrWhiteSpace(title) ? null : title.Trim(), passages);
        }
    }

    /// <summary>The PDF's outline (bookmarks), in reading order: each heading's level (1 for the top), title and page.</summary>
    private static List<(int Level, string Title, int Page)> Outline(PdfDocument document)
    {
        var headings = new List<(int Level, string Title, int Page, double Top)>();
        if (document.TryGetBookmarks(out var bookmarks))
        {
            void Walk(UglyToad.PdfPig.Outline.BookmarkNode node)
            {
                if (node is UglyToad.PdfPig.Outline.DocumentBookmarkNode { PageNumber: > 0 } mark && Collapse(mark.Title) is { Length: > 0 } title)
                {
                    headings.Add((mark.Level + 1, title, mark.PageNumber, mark.Destination?.Coordinates.Top ?? double.MaxValue));
                }
                foreach (var child in node.Children)
                {
                    Walk(child);
                }
            }
            foreach (var root in bookmarks.Roots)
            {
                Walk(root);
            }
        }
        // Top down within a page: PDF coordinates grow upwards.
        return headings.OrderBy(h => h.Page).ThenByDescending(h => h.Top).Select(h => (h.Level, h.Title, h.Page)).ToList();
    }

    /// <summary>Whether the paragraph begins with the heading's title, whatever the whitespace between its words.</summary>
    private static bool StartsWithTitle(string paragraph, string title) => TitleLength(paragraph, title) > 0;

    /// <summary>How many characters of the paragraph its leading title takes; 0 when it does not begin with it.</summary>
    private static int TitleLength(string paragraph, string title)
    {
        var t = 0;
        var p = 0;
        while (t < title.Length)
        {
            if (char.IsWhiteSpace(title[t]))
            {
                t++;
                continue;
            }
            while (p < paragraph.Length && char.IsWhiteSpace(paragraph[p]))
            {
                p++;
            }
            if (p >= paragraph.Length || char.ToUpperInvariant(paragraph[p]) != char.ToUpperInvariant(title[t]))
            {
                return 0;
            }
            p++;
            t++;
        }
        return p;
    }

    [GeneratedRegex(@"\n\s*\n")]
    private static partial Regex BlankLines();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    private static string Collapse(string text) => Whitespace().Replace(text, " ").Trim();

    /// <summary>Collects blocks into passages of about <see cref="TargetLength"/>, never across a heading or a page.</summary>
    private sealed class PassagePacker
    {
        private readonly List<PassageDraft> _passages = [];
        private readonly List<(int Level, string Text)> _headings = [];
        private readonly StringBuilder _current = new();
        private int? _page;
        private string? _last;

        private const int OverlapLength = 300;

        private string Section => string.Join(SectionSeparator, _headings.Select(h => h.Text));

        public void Heading(int level, string text)
        {
            EndSection(level);
            _headings.Add((level, text.Length > 200 ? text[..200] : text));
        }

        /// <summary>Ends the section a heading of <paramref name="level"/> opened: what follows belongs to the headings above it.</summary>
        public void EndSection(int level)
        {
            Flush();
            _headings.RemoveAll(h => h.Level >= level);
        }

        public void Page(int number)
        {
            Flush();
            _page = number;
        }

        public void Add(string block, bool isCode)
        {
            block = block.Trim('\n');
            if (block.Trim().Length == 0)
            {
                return;
            }
            if (block.Length > MaxLength)
            {
                Flush();
                foreach (var piece in isCode ? Lines(block) : Sentences(block))
                {
                    // Sentences of one paragraph stay one paragraph; code pieces are fenced blocks of their own.
                    Append(piece, isCode ? "\n\n" : " ");
                }
                Flush();
                return;
            }
            Append(block);
        }

        private void Append(string block, string separator = "\n\n")
        {
            if (_current.Length > 0 && _current.Length + 2 + block.Length > TargetLength)
            {
                var carried = _last;
                Flush();
                // Cut for length within a section: the next passage starts with the last block again (when
                // short), so a sentence leading into the cut is found with what follows it.
                if (carried is { Length: <= OverlapLength } last && last.Length + 2 + block.Length <= MaxLength)
                {
                    _current.Append(last);
                }
            }
            if (_current.Length > 0)
            {
                _current.Append(separator);
            }
            _current.Append(block);
            _last = block;
        }

        private void Flush()
        {
            var text = _current.ToString().Trim();
            _current.Clear();
            _last = null;
            if (text.Length > 0)
            {
                var section = Section;
                _passages.Add(new(section.Length > CoursePassage.MaxSectionLength ? section[..CoursePassage.MaxSectionLength] : section, _page, text));
            }
        }

        public List<PassageDraft> Finish()
        {
            Flush();
            return _passages;
        }

        /// <summary>A long code block in runs of whole lines (a fence is reopened in every piece).</summary>
        private static IEnumerable<string> Lines(string code)
        {
            var lines = code.Split('\n');
            var fence = lines[0].TrimStart().StartsWith("```", StringComparison.Ordinal) ? lines[0] : null;
            var body = fence is null ? lines : lines[1..^(lines[^1].TrimStart().StartsWith("```", StringComparison.Ordinal) ? 1 : 0)];
            var piece = new StringBuilder();
            foreach (var line in body)
            {
                var cut = line.Length > MaxLength ? line[..MaxLength] : line;
                if (piece.Length > 0 && piece.Length + cut.Length + 1 > TargetLength - 10)
                {
                    yield return Wrap(piece.ToString());
                    piece.Clear();
                }
                piece.Append(cut).Append('\n');
            }
            if (piece.Length > 0)
            {
                yield return Wrap(piece.ToString());
            }

            string Wrap(string text) => fence is null ? text.TrimEnd('\n') : fence + "\n" + text + "```";
        }

        private static IEnumerable<string> Sentences(string prose)
        {
            foreach (var sentence in SentenceEnd().Split(prose))
            {
                for (var at = 0; at < sentence.Length; at += MaxLength)
                {
                    yield return sentence.Substring(at, Math.Min(MaxLength, sentence.Length - at));
                }
            }
        }
    }

    [GeneratedRegex(@"(?<=[.!?])\s+")]
    private static partial Regex SentenceEnd();
}
