using System.Net;
using System.Text;
using Markdig.Syntax;

namespace CodeMentor.Core.Markdown;

/// <summary>What a streaming reply looks like now: finished chunks of HTML that never change
/// (only new ones are added), and the block still being written.</summary>
/// <param name="Frozen">HTML of the finished part, in chunks of whole top-level blocks.</param>
/// <param name="OpenHtml">HTML of the block still being written (empty when there is none), unless it is <paramref name="OpenCode"/>.</param>
/// <param name="OpenCode">When the open block is a fenced code block, its parts, so a page can add lines without re-sending the block.</param>
public sealed record MarkdownFrame(IReadOnlyList<string> Frozen, string OpenHtml, OpenCodeBlock? OpenCode = null)
{
    /// <summary>HTML of the block still being written.</summary>
    public string Open => OpenCode is { } code
        ? $"<div class=\"code-block\">{CodeBlockHtml.Head(code.Language, copy: false)}" +
          $"<pre tabindex=\"0\"><code{(code.Language.Length > 0 ? $" class=\"language-{WebUtility.HtmlEncode(code.Language)}\"" : "")}>{code.EscapedText}</code></pre></div>"
        : OpenHtml;

    public string Html => string.Concat(Frozen) + Open;
}

/// <summary>A fenced code block still being written: its language, its finished groups of lines
/// (escaped HTML that never changes) and the lines after them (escaped, still growing).</summary>
public sealed record OpenCodeBlock(string Language, IReadOnlyList<string> Groups, string Tail)
{
    public string EscapedText => string.Concat(Groups) + Tail;
}

/// <summary>
/// Renders a growing Markdown text (a streaming reply) exactly as a one-shot render of the same
/// text would, with work linear in its length:
/// <list type="bullet">
/// <item>Only the text after the finished part is parsed. Every top-level block except the last is
/// finished (a following block proves CommonMark closed it) and is rendered once, then kept.</item>
/// <item>Link reference definitions are the one thing that couples distant blocks; when a reply has
/// any, it is rendered whole on each request instead (they are rare in replies, and exactness matters more).</item>
/// <item>An open fenced code block (the usual long block) grows without parsing: its new text is
/// escaped and appended, until a closing fence arrives and the block is parsed and highlighted.</item>
/// </list>
/// Text is only appended (<see cref="Append"/>); HTML is made when asked (<see cref="Render"/>), so
/// a page that renders every 50 ms pays for one parse per frame, not per token.
/// </summary>
public sealed class IncrementalMarkdown
{
    private readonly TextBuffer _text = new();
    private readonly List<string> _frozen = [];
    private int _frozenEnd;
    private bool _hasDefinitions;

    // An open fenced code block at the end of the text, streamed without parsing.
    private OpenFence? _fence;

    private sealed class OpenFence
    {
        public required int ContentStart { get; init; }
        public required char Char { get; init; }
        public required int Count { get; init; }
        public required int Indent { get; init; }
        public required string Language { get; init; }
        /// <summary>Finished groups of <see cref="LinesPerGroup"/> escaped lines.</summary>
        public List<string> Groups { get; } = [];

        /// <summary>Escaped complete lines not yet making a whole group.</summary>
        public StringBuilder Current { get; } = new();
        public int CurrentLines { get; set; }
        public int EscapedUpTo { get; set; }

        /// <summary>Lines before this were already checked for a closing fence.</summary>
        public int ScannedUpTo { get; set; }
    }

    /// <summary>Characters Markdig has parsed so far: the work the streaming costs.</summary>
    public long CharactersParsed { get; private set; }

    public int Length => _text.Length;

    public void Append(string? delta)
    {
        if (!string.IsNullOrEmpty(delta))
        {
            _text.Append(delta);
        }
    }

    /// <summary>The reply so far, with the last block rendered as it stands.</summary>
    public MarkdownFrame Render() => Build(complete: false);

    /// <summary>The finished reply: every block finished.</summary>
    public MarkdownFrame Complete() => Build(complete: true);

    private MarkdownFrame Build(bool complete)
    {
        if (_hasDefinitions)
        {
            return Whole();
        }
        if (!complete && _fence is { } fence && !HasClosingFence(fence))
        {
            return OpenCode(fence);
        }
        _fence = null;

        var tail = _text.ToString(_frozenEnd, _text.Length - _frozenEnd);
        if (tail.Length == 0)
        {
            return new MarkdownFrame(_frozen, "", null);
        }
        var document = SafeMarkdown.Parse(tail);
        CharactersParsed += tail.Length;
        if (document.Descendants<Markdig.Syntax.LinkReferenceDefinition>().Any())
        {
            _hasDefinitions = true;
            return Whole();
        }

        var blocks = document.Count;
        var tailStart = _frozenEnd;
        var keepOpen = complete || blocks == 0 ? 0 : 1;
        var cut = blocks - keepOpen;
        // The start of the line the last block begins on (its Line is not that for a setext heading).
        var lastStart = blocks == 0 ? 0 : tail.LastIndexOf('\n', Math.Max(0, document[^1].Span.Start - 1)) + 1;
        if (keepOpen == 1 && cut > 0 && tail.IndexOf('\n', lastStart) < 0)
        {
            // The last block proves the one before it closed only once its first line is complete:
            // until then it may still turn into a continuation of it ("*" is a list item, "**" is
            // not; "---" may underline a paragraph). The blocks before that one are not affected.
            cut = Math.Max(0, blocks - 2);
        }
        // Freeze only up to a block that is really closed: one that cannot continue (a heading, a
        // thematic break, a closed fence) or one followed by a blank line. A paragraph, list or
        // table without a blank line after it may still merge with what follows (a pipe table
        // turns back into paragraph text when a later line does not fit it).
        while (keepOpen == 1 && cut > 0 && !Closed(document, cut - 1, tail))
        {
            cut--;
        }
        if (cut > 0 && cut < blocks && keepOpen == 1)
        {
            lastStart = tail.LastIndexOf('\n', Math.Max(0, document[cut].Span.Start - 1)) + 1;
        }
        // A last block that closed itself (a fence with its closing line, a heading or a break
        // with its line complete) cannot change either: keep it too, so a long code block is not
        // parsed again while the next paragraph starts.
        var selfClosed = keepOpen == 1 && cut == blocks - 1 && SelfClosed(document[^1], tail);
        if (selfClosed)
        {
            // Up to the end of its last line only: what follows may be the start of the next block.
            cut = blocks;
            lastStart = tail.IndexOf('\n', document[^1].Span.End) + 1;
        }
        if (cut > 0)
        {
            // Blocks before the cut are closed: render them once and keep them.
            _frozen.Add(SafeMarkdown.Render(document, 0, cut));
            _frozenEnd += keepOpen == 0 ? tail.Length : lastStart;
        }
        if (keepOpen == 0 || selfClosed)
        {
            return new MarkdownFrame(_frozen, "", null);
        }
        if (cut < blocks - 1)
        {
            // Several blocks still open together (no blank line between them yet): render them as they stand.
            return new MarkdownFrame(_frozen, SafeMarkdown.Render(document, cut, blocks), null);
        }
        // The last block, from the same parse: streamed without parsing if it is an open code fence.
        if (OpenFenceOf(document[^1], tail, tailStart, lastStart) is { } open)
        {
            _fence = open;
            return OpenCode(open);
        }
        return new MarkdownFrame(_frozen, SafeMarkdown.Render(document, cut, blocks), null);
    }

    private static bool SelfClosed(Block block, string tail)
    {
        var lineComplete = block.Span.End + 1 < tail.Length && tail.IndexOf('\n', block.Span.End) >= 0;
        return lineComplete && block switch
        {
            FencedCodeBlock fence => fence.ClosingFencedCharCount > 0,
            HeadingBlock or ThematicBreakBlock => true,
            _ => false,
        };
    }

    /// <summary>Whether block <paramref name="index"/> can no longer change whatever follows.</summary>
    private static bool Closed(MarkdownDocument document, int index, string tail)
    {
        var block = document[index];
        if (block is HeadingBlock or ThematicBreakBlock || (block is FencedCodeBlock && index < document.Count - 1))
        {
            return true;
        }
        // A blank line between this block's last text and the next block (a list's span takes in
        // the blank line after it, so look back from the next block over whitespace).
        var next = index + 1 < document.Count ? document[index + 1].Span.Start : tail.Length;
        var newlines = 0;
        for (var i = Math.Min(next, tail.Length) - 1; i > block.Span.Start && char.IsWhiteSpace(tail[i]); i--)
        {
            if (tail[i] == '\n' && ++newlines == 2)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A reply with link reference definitions: rendered whole (definitions anywhere apply everywhere).</summary>
    private MarkdownFrame Whole()
    {
        var text = _text.ToString();
        CharactersParsed += text.Length;
        return new MarkdownFrame([], SafeMarkdown.ToHtml(text), null);
    }

    /// <summary>The last block, if it is a fenced code block that has not been closed yet.</summary>
    /// <param name="tailStart">Where the parsed text starts in the whole reply.</param>
    /// <param name="blockStart">Where the block's first line starts in the parsed text.</param>
    private OpenFence? OpenFenceOf(Block block, string tail, int tailStart, int blockStart)
    {
        if (block is not FencedCodeBlock fenced)
        {
            return null;
        }
        var openingEnd = tail.IndexOf('\n', blockStart);
        if (openingEnd < 0)
        {
            return null; // the opening line itself is still being written
        }
        var fence = new OpenFence
        {
            ContentStart = tailStart + openingEnd + 1,
            Char = fenced.FencedChar,
            Count = fenced.OpeningFencedCharCount,
            Indent = fenced.IndentCount,
            Language = (fenced.Info ?? "").Trim(),
        };
        return HasClosingFence(fence) ? null : fence;
    }

    /// <summary>Whether a complete line after the opening fence closes it (CommonMark: up to three
    /// spaces, at least as many fence characters, then only spaces). Each line is looked at once.</summary>
    private bool HasClosingFence(OpenFence fence)
    {
        var position = Math.Max(fence.ScannedUpTo, fence.ContentStart);
        while (position < _text.Length)
        {
            var end = IndexOf(_text, '\n', position);
            if (end < 0)
            {
                break; // an incomplete last line is not a fence yet
            }
            if (IsClosingFence(position, end, fence))
            {
                return true;
            }
            position = end + 1;
        }
        fence.ScannedUpTo = position;
        return false;
    }

    private bool IsClosingFence(int start, int end, OpenFence fence)
    {
        var i = start;
        var spaces = 0;
        while (i < end && _text[i] == ' ' && spaces < 4)
        {
            i++;
            spaces++;
        }
        if (spaces > 3)
        {
            return false;
        }
        var count = 0;
        while (i < end && _text[i] == fence.Char)
        {
            i++;
            count++;
        }
        if (count < fence.Count)
        {
            return false;
        }
        while (i < end && _text[i] is ' ' or '\t' or '\r')
        {
            i++;
        }
        return i == end;
    }

    /// <summary>Lines of an open code block sent to the page as one unchanging piece.</summary>
    public const int LinesPerGroup = 32;

    /// <summary>Escapes the complete lines added since the last call (each line once) and returns
    /// the block's text as finished groups plus what follows them.</summary>
    private (IReadOnlyList<string> Groups, string Tail) Escape(OpenFence fence)
    {
        if (fence.EscapedUpTo < fence.ContentStart)
        {
            fence.EscapedUpTo = fence.ContentStart;
        }
        while (fence.EscapedUpTo < _text.Length)
        {
            var lineEnd = IndexOf(_text, '\n', fence.EscapedUpTo);
            if (lineEnd < 0)
            {
                break;
            }
            fence.Current.Append(WebUtility.HtmlEncode(StripIndent(_text.ToString(fence.EscapedUpTo, lineEnd + 1 - fence.EscapedUpTo), fence.Indent)));
            fence.EscapedUpTo = lineEnd + 1;
            if (++fence.CurrentLines == LinesPerGroup)
            {
                fence.Groups.Add(fence.Current.ToString());
                fence.Current.Clear();
                fence.CurrentLines = 0;
            }
        }
        var partial = _text.Length > fence.EscapedUpTo
            ? WebUtility.HtmlEncode(StripIndent(_text.ToString(fence.EscapedUpTo, _text.Length - fence.EscapedUpTo), fence.Indent))
            : "";
        return (fence.Groups, fence.Current + partial);
    }

    private MarkdownFrame OpenCode(OpenFence fence)
    {
        var (groups, tail) = Escape(fence);
        return new MarkdownFrame(_frozen, "", new OpenCodeBlock(fence.Language.Split(' ')[0], groups, tail));
    }

    private static string StripIndent(string line, int indent)
    {
        var strip = 0;
        while (strip < indent && strip < line.Length && line[strip] == ' ')
        {
            strip++;
        }
        return line[strip..];
    }

    private static int IndexOf(TextBuffer text, char c, int start)
    {
        for (var i = start; i < text.Length; i++)
        {
            if (text[i] == c)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Appendable text with O(1) indexing (a StringBuilder's indexer walks its chunks).</summary>
    private sealed class TextBuffer
    {
        private char[] _chars = new char[1024];

        public int Length { get; private set; }

        public char this[int index] => _chars[index];

        public void Append(string text)
        {
            if (Length + text.Length > _chars.Length)
            {
                Array.Resize(ref _chars, Math.Max(_chars.Length * 2, Length + text.Length));
            }
            text.CopyTo(0, _chars, Length, text.Length);
            Length += text.Length;
        }

        public string ToString(int start, int length) => new(_chars, start, length);

        public override string ToString() => new(_chars, 0, Length);
    }
}
