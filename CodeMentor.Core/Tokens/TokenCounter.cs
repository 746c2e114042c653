using Microsoft.ML.Tokenizers;

namespace CodeMentor.Core.Tokens;

/// <summary>Counts tokens the way gpt-oss does: o200k_base for text (o200k_harmony only adds chat
/// special tokens) plus a fixed per-message overhead for the chat format. Creating the tokenizer
/// takes most of a second, so one instance is shared (registered as a singleton).</summary>
public sealed class TokenCounter
{
    /// <summary>Format tokens around each message (role marker, start, end), as OpenAI's
    /// cookbook counts them for chat models.</summary>
    public const int PerMessageOverhead = 4;

    /// <summary>Tokens that prime the assistant's reply.</summary>
    public const int ReplyPrimer = 3;

    private readonly Lazy<Tokenizer> _tokenizer =
        new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Longest run counted in one piece. Byte-pair encoding is quadratic in the length of a
    /// run without spaces (32,000 emoji took ~40 s of CPU in one piece); counted in slices it is
    /// linear, and the count differs by at most a token per slice.</summary>
    internal const int MaxSlice = 512;

    // System prompts and templates are counted on every request; remember the counts of long texts.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _remembered = new(StringComparer.Ordinal);
    private const int RememberFrom = 256;
    private const int RememberAtMost = 4096;

    public int CountText(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }
        if (text.Length < RememberFrom)
        {
            return Count(text);
        }
        if (_remembered.TryGetValue(text, out var known))
        {
            return known;
        }
        var count = Count(text);
        if (_remembered.Count >= RememberAtMost)
        {
            _remembered.Clear();
        }
        _remembered[text] = count;
        return count;
    }

    private int Count(string text)
    {
        if (text.Length <= MaxSlice)
        {
            return _tokenizer.Value.CountTokens(text);
        }
        var total = 0;
        var start = 0;
        while (start < text.Length)
        {
            var end = Math.Min(text.Length, start + MaxSlice);
            if (end < text.Length)
            {
                // Cut before whitespace where there is some (o200k attaches a space to the word after
                // it, so the count does not change), else anywhere but inside a surrogate pair.
                var space = text.LastIndexOfAny([' ', '\n', '\t'], end - 1, end - start - 1);
                end = space > start ? space : char.IsLowSurrogate(text[end]) ? end - 1 : end;
            }
            total += _tokenizer.Value.CountTokens(text.AsSpan(start, end - start));
            start = end;
        }
        return total;
    }

    /// <summary>Tokens one chat message costs in a prompt, overhead included.</summary>
    public int CountMessage(string? text) => CountText(text) + PerMessageOverhead;

    /// <summary>Splits text into the token strings it consists of (the simulator streams these).
    /// Byte-level tokens can split one character's UTF-8 bytes; such a character goes, once, with
    /// the first token that touches it, so the pieces always join back into the text.</summary>
    public IReadOnlyList<string> Split(string text)
    {
        var tokens = _tokenizer.Value.EncodeToTokens(text, out _);
        var pieces = new List<string>(tokens.Count);
        var position = 0;
        foreach (var token in tokens)
        {
            var end = Math.Min(text.Length, token.Offset.End.Value);
            if (end > position)
            {
                pieces.Add(text[position..end]);
                position = end;
            }
        }
        if (position < text.Length)
        {
            pieces.Add(text[position..]);
        }
        return pieces;
    }
}
