using System.Text;
using System.Text.RegularExpressions;
using CodeMentor.Core.Markdown;
using Markdig.Syntax;

namespace CodeMentor.Core.Courses;

/// <summary>
/// Holds back code blocks longer than a few lines from a reply as it streams, replacing each with
/// <see cref="Note"/>: how a hints-only course keeps its promise whatever the model writes (the prompt asks for at most
/// two lines; this makes it so). Text outside code blocks passes through as it arrives, except the start of a line that
/// may still turn out to open a fence, and a line indented far enough to be code, which waits for its end; a code block
/// is shown once it ends within the limit. It reads fences more widely than CommonMark (any indentation, inside list
/// items and quotes), so what it misses is only ever shown as text. Indented code blocks (four spaces, no fence) are
/// recognised exactly, by the renderer's own Markdown parser on the reply so far, since whether an indented line is code
/// or the continuation of a list item depends on everything before it.
/// Fed in any chunks, it gives the same text as fed in one piece.
/// </summary>
public sealed partial class CodeBlockLimiter(int maxLines)
{
    /// <summary>Lines of code a hints-only course's replies may show in one block.</summary>
    public const int HintsOnlyLines = 2;

    /// <summary>How the note begins, whatever the limit: what the teacher's week counts replies by.</summary>
    public const string NoteStart = "Code held back: this course is hints only";

    public string Note => $"> *{NoteStart}, so the tutor shows at most {maxLines} lines of code at a time. Ask for a hint about the next step instead.*\n";

    private readonly StringBuilder _line = new(); // the current line while it may still open a fence
    private bool _lineIsText; // the current line is known not to open a fence, so it streams
    private readonly StringBuilder _block = new(); // the fenced block so far, from its opening line
    private bool _inBlock;
    private char _fenceChar;
    private int _fenceLength;
    private int _codeLines;
    private int _blockLineStart;

    private readonly StringBuilder _input = new(); // the reply so far, as the model wrote it
    private readonly StringBuilder _indented = new(); // an indented code block so far
    private int _indentedLines;
    private readonly StringBuilder _blanks = new(); // blank lines after indented code: inside the block if more code follows

    public int HeldBack { get; private set; }

    public string Process(string text)
    {
        var output = new StringBuilder();
        foreach (var c in text)
        {
            _input.Append(c);
            if (_inBlock)
            {
                InBlock(c, output);
            }
            else if (_lineIsText)
            {
                output.Append(c);
                _lineIsText = c != '\n';
            }
            else
            {
                _line.Append(c);
                AtLineStart(output);
            }
        }
        return output.ToString();
    }

    /// <summary>The end of the reply: a line still undecided is text; an unclosed block is shown or held back by its length.</summary>
    public string Complete()
    {
        var output = new StringBuilder();
        if (_inBlock)
        {
            var last = _block.ToString(_blockLineStart, _block.Length - _blockLineStart); // a last line without its newline
            if (!IsClosing(last))
            {
                CountLine(last);
            }
            EndBlock(output);
        }
        else if (!_lineIsText)
        {
            var line = _line.ToString();
            if (IndentedFarEnough(line) && IsIndentedCode(line))
            {
                AddIndentedCode(line);
            }
            else
            {
                EndIndented(output);
                output.Append(line);
            }
        }
        EndIndented(output);
        _line.Clear();
        _lineIsText = false;
        return output.ToString();
    }

    private void AtLineStart(StringBuilder output)
    {
        var line = _line.ToString();
        if (line.EndsWith('\n'))
        {
            _line.Clear();
            if (_indented.Length > 0 && line.Trim().Length == 0)
            {
                _blanks.Append(line); // part of the code block only if more code follows
                return;
            }
            if (IndentedFarEnough(line) && IsIndentedCode(line))
            {
                AddIndentedCode(line);
                return;
            }
            EndIndented(output);
            if (Opening().Match(line.TrimEnd('\n', '\r')) is { Success: true } open
                && !(open.Groups["fence"].Value[0] == '`' && open.Groups["info"].Value.Contains('`')))
            {
                _inBlock = true;
                _fenceChar = open.Groups["fence"].Value[0];
                _fenceLength = open.Groups["fence"].Length;
                _codeLines = 0;
                _block.Clear().Append(line);
                _blockLineStart = _block.Length;
            }
            else
            {
                output.Append(line);
            }
            return;
        }
        if (IndentedFarEnough(line) || (_indented.Length > 0 && line.Trim().Length == 0))
        {
            return; // may be indented code (or a blank inside it): decided when the line ends
        }
        if (!OpeningStart().IsMatch(line) && !MayOpen().IsMatch(line))
        {
            EndIndented(output);
            output.Append(line);
            _line.Clear();
            _lineIsText = true;
        }
        // Otherwise still undecided (a prefix of a fence, a list marker, indentation): wait for more.
    }

    /// <summary>Whether the line (the last of the reply so far) lies in an indented code block, as the renderer parses it.
    /// Only the reply from the start of its last top-level block (or of its last top-level list item) is parsed: no later
    /// line changes where those start, and parsing from a line where no container is open reads what follows as the
    /// whole reply would, so a long reply costs what its last part costs, not its whole length at every indented line.</summary>
    private bool IsIndentedCode(string line)
    {
        var text = _input.ToString(_parseFrom, _input.Length - _parseFrom);
        var start = text.Length - line.Length;
        var end = start + line.TrimEnd('\n', '\r').Length;
        var document = SafeMarkdown.Parse(text);
        var isCode = document.Descendants<CodeBlock>()
            .Any(block => block is not FencedCodeBlock && block.Span.Start < Math.Max(end, start + 1) && block.Span.End >= start);
        if (document.LastChild is { } last)
        {
            var resume = last is ListBlock { LastChild: { } item } ? item : last;
            _parseFrom += LineStart(text, Math.Min(resume.Span.Start, start));
        }
        return isCode;
    }

    private int _parseFrom; // where the reply is parsed from (see IsIndentedCode)

    private static int LineStart(string text, int position) =>
        position <= 0 ? 0 : text.LastIndexOf('\n', position - 1) + 1;

    private void AddIndentedCode(string line)
    {
        _indented.Append(_blanks).Append(line);
        _blanks.Clear();
        if (IsCodeLine(line))
        {
            _indentedLines++;
        }
    }

    /// <summary>The indented code block has ended: shown if within the limit, else the note; then the blank lines after it.</summary>
    private void EndIndented(StringBuilder output)
    {
        if (_indented.Length == 0)
        {
            output.Append(_blanks);
            _blanks.Clear();
            return;
        }
        if (_indentedLines <= maxLines)
        {
            output.Append(_indented);
        }
        else
        {
            output.Append(Note);
            HeldBack++;
        }
        output.Append(_blanks);
        _indented.Clear();
        _blanks.Clear();
        _indentedLines = 0;
    }

    /// <summary>Four columns of indentation after any quote and list markers: a line that may be indented code.</summary>
    private static bool IndentedFarEnough(string line)
    {
        var columns = 0;
        foreach (var c in line)
        {
            if (c == ' ')
            {
                columns++;
            }
            else if (c == '\t')
            {
                return true;
            }
            else if (c is '>' or '-' or '*' or '+' or '.' or ')' || char.IsAsciiDigit(c))
            {
                columns = 0;
            }
            else
            {
                break;
            }
            if (columns >= 4)
            {
                return true;
            }
        }
        return false;
    }

    private void InBlock(char c, StringBuilder output)
    {
        _block.Append(c);
        if (c != '\n')
        {
            return;
        }
        var line = _block.ToString(_blockLineStart, _block.Length - _blockLineStart);
        if (IsClosing(line))
        {
            EndBlock(output);
            return;
        }
        CountLine(line);
        _blockLineStart = _block.Length;
    }

    private void CountLine(string line)
    {
        if (IsCodeLine(line))
        {
            _codeLines++;
        }
    }

    /// <summary>A line that counts against the limit: anything but quote or list markers and whitespace.</summary>
    private static bool IsCodeLine(string line) => Prefix().Replace(line, "", 1).Trim().Length > 0;

    private void EndBlock(StringBuilder output)
    {
        if (_codeLines <= maxLines)
        {
            output.Append(_block);
        }
        else
        {
            output.Append(Note);
            HeldBack++;
        }
        _block.Clear();
        _inBlock = false;
        _blockLineStart = 0;
    }

    private bool IsClosing(string line)
    {
        var rest = Prefix().Replace(line, "", 1).TrimEnd('\n', '\r');
        var run = rest.TakeWhile(ch => ch == _fenceChar).Count();
        return run >= _fenceLength && rest[run..].Trim().Length == 0;
    }

    // What may stand before a fence on its line: indentation, quote markers and list markers, in any mix.
    private const string PrefixPattern = @"^(?:[ \t]*(?:>|[-*+]|\d{1,9}[.)])(?=[ \t]|$))*[ \t]*";

    [GeneratedRegex(PrefixPattern)]
    private static partial Regex Prefix();

    [GeneratedRegex(PrefixPattern + @"(?<fence>`{3,}|~{3,})(?<info>.*)$")]
    private static partial Regex Opening();

    [GeneratedRegex(PrefixPattern + @"(`{3,}|~{3,})")]
    private static partial Regex OpeningStart();

    // A line so far that could still open a fence: only prefix characters, then at most a fence's worth of one fence character.
    [GeneratedRegex(@"^[ \t>*+\-0-9.)]*(`+|~+)?$")]
    private static partial Regex MayOpen();
}
