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

    public int CountText(string? text) =>
        string.IsNullOrEmpty(text) ? 0 : _tokenizer.Value.CountTokens(text);

    /// <summary>Tokens one chat message costs in a prompt, overhead included.</summary>
    public int CountMessage(string? text) => CountText(text) + PerMessageOverhead;

    /// <summary>Splits text into the token strings it consists of (the simulator streams these).</summary>
    public IReadOnlyList<string> Split(string text)
    {
        var tokens = _tokenizer.Value.EncodeToTokens(text, out _);
        var pieces = new List<string>(tokens.Count);
        foreach (var token in tokens)
        {
            var (start, length) = (token.Offset.Start.Value, token.Offset.End.Value - token.Offset.Start.Value);
            pieces.Add(text.Substring(start, length));
        }
        return pieces;
    }
}
