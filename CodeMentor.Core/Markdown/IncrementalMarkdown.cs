using System.Text;

namespace CodeMentor.Core.Markdown;

/// <summary>
/// Renders a growing Markdown text (a streaming reply) without re-parsing finished blocks.
/// The text is split at the last blank line outside a code fence: everything before it is
/// rendered once and kept; only the open block after it is rendered again on each update.
/// Total work stays roughly linear in the reply's length. <see cref="Complete"/> renders the whole
/// text once more so constructs that span blocks (loose lists, reference links) come out exact.
/// </summary>
public sealed class IncrementalMarkdown
{
    private readonly StringBuilder _stableHtml = new();
    private int _stableLength;
    private int _scanPosition;
    private bool _inFence;
    private string _fenceMarker = "";
    private string _text = "";

    /// <summary>Characters parsed by Markdig so far; tests use it to check the work stays linear.</summary>
    public long CharactersRendered { get; private set; }

    public string Html { get; private set; } = "";

    public string Update(string text)
    {
        if (!text.StartsWith(_text, StringComparison.Ordinal))
        {
            Reset(); // the text was replaced, not extended
        }
        _text = text;
        AdvanceStableBoundary();
        var tail = text[_stableLength..];
        CharactersRendered += tail.Length;
        Html = _stableHtml + SafeMarkdown.ToHtml(tail);
        return Html;
    }

    public string Complete(string text)
    {
        Reset();
        _text = text;
        CharactersRendered += text.Length;
        Html = SafeMarkdown.ToHtml(text);
        return Html;
    }

    private void Reset()
    {
        _stableHtml.Clear();
        _stableLength = 0;
        _scanPosition = 0;
        _inFence = false;
        _fenceMarker = "";
        _text = "";
    }

    /// <summary>Scans only the complete lines added since the last call.</summary>
    private void AdvanceStableBoundary()
    {
        var boundary = _stableLength;
        while (true)
        {
            var newline = _text.IndexOf('\n', _scanPosition);
            if (newline < 0)
            {
                break;
            }
            var line = _text.AsSpan(_scanPosition, newline - _scanPosition).TrimEnd('\r');
            _scanPosition = newline + 1;
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith("```") || trimmed.StartsWith("~~~"))
            {
                var marker = trimmed[..3].ToString();
                if (!_inFence)
                {
                    _inFence = true;
                    _fenceMarker = marker;
                }
                else if (marker == _fenceMarker && trimmed.TrimEnd().Length == CountLeading(trimmed, marker[0]))
                {
                    _inFence = false;
                }
            }
            else if (!_inFence && line.IsWhiteSpace() && NextLineStartsNewBlock(_scanPosition))
            {
                boundary = _scanPosition;
            }
        }

        if (boundary > _stableLength)
        {
            var block = _text[_stableLength..boundary];
            CharactersRendered += block.Length;
            _stableHtml.Append(SafeMarkdown.ToHtml(block));
            _stableLength = boundary;
        }
    }

    /// <summary>A blank line followed by an indented line may continue a list item or an
    /// indented code block; only cut where the next line is known and starts at column 0.</summary>
    private bool NextLineStartsNewBlock(int position) =>
        position < _text.Length && _text[position] is not (' ' or '\t' or '\n' or '\r')
        && !(char.IsDigit(_text[position]) || _text[position] is '-' or '*' or '+');

    private static int CountLeading(ReadOnlySpan<char> text, char c)
    {
        var n = 0;
        while (n < text.Length && text[n] == c)
        {
            n++;
        }
        return n;
    }
}
