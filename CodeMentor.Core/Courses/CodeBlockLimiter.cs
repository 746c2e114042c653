using System.Text;
using System.Text.RegularExpressions;

namespace CodeMentor.Core.Courses;

/// <summary>
/// Holds back fenced code blocks longer than a few lines from a reply as it streams, replacing each with
/// <see cref="Note"/>: how a hints-only course keeps its promise whatever the model writes (the prompt asks for at most
/// two lines; this makes it so). Text outside code blocks passes through as it arrives, except the start of a line that
/// may still turn out to open a fence; a code block is shown once it closes within the limit. It reads fences more
/// widely than CommonMark (any indentation, inside list items and quotes), so what it misses is only ever shown as text.
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

    public int HeldBack { get; private set; }

    public string Process(string text)
    {
        var output = new StringBuilder();
        foreach (var c in text)
        {
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
            output.Append(_line);
        }
        _line.Clear();
        _lineIsText = false;
        return output.ToString();
    }

    private void AtLineStart(StringBuilder output)
    {
        var line = _line.ToString();
        if (line.EndsWith('\n'))
        {
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
            _line.Clear();
            return;
        }
        if (!OpeningStart().IsMatch(line) && !MayOpen().IsMatch(line))
        {
            output.Append(line);
            _line.Clear();
            _lineIsText = true;
        }
        // Otherwise still undecided (a prefix of a fence, a list marker, indentation): wait for more.
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
        if (Prefix().Replace(line, "", 1).Trim().Length > 0)
        {
            _codeLines++;
        }
    }

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
