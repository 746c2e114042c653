using CodeMentor.Core.Text;
using CodeMentor.Core.Tokens;
using Microsoft.Extensions.AI;

namespace CodeMentor.Core.Llm.Pipeline;

/// <summary>
/// The tokens one call counts against budgets, folded from its stream by the rule the ledger records
/// it by: what the provider reported; for a call cut off before that (stopped, or the stream broke),
/// the prompt as sent plus the text that came back, counted here (estimated); nothing for a cache hit.
/// So stopping every reply early does not get around a budget. Disposed when the call is done: the text
/// seen is kept in a pooled buffer.
/// </summary>
internal sealed class CallTokens(TokenCounter counter) : IDisposable
{
    private bool _cacheHit;
    private int? _promptTokens;
    private long? _reported;
    private readonly PooledText _seen = new();

    public void Observe(ChatResponseUpdate update)
    {
        _cacheHit |= update.Get<bool>(CallFacts.CacheHit);
        _promptTokens ??= update.Get<int?>(CallFacts.PromptTokens);
        foreach (var content in update.Contents.AsSpanOrList())
        {
            switch (content)
            {
                case UsageContent { Details: var usage }:
                    _reported = (_reported ?? 0) + (usage.InputTokenCount ?? 0) + (usage.OutputTokenCount ?? 0);
                    break;
                case TextContent { Text.Length: > 0 } text:
                    _seen.Append(text.Text);
                    break;
                case TextReasoningContent { Text.Length: > 0 } reasoning:
                    _seen.Append(reasoning.Text);
                    break;
            }
        }
    }

    /// <summary>The tokens to count; 0 when the call used none that anyone pays for.</summary>
    public long Billed
    {
        get
        {
            if (_cacheHit)
            {
                return 0;
            }
            if (_reported is { } reported)
            {
                return reported;
            }
            return _seen.Length == 0 ? 0 : EstimateCutOff(_promptTokens, _seen.ToString(), counter).TotalTokenCount ?? 0;
        }
    }

    /// <summary>A call cut off after the provider started answering but before it reported usage (5xx and refused
    /// requests are not billed): what was sent and what came back.</summary>
    public static UsageDetails EstimateCutOff(int? promptTokens, string seen, TokenCounter counter)
    {
        var output = counter.CountText(seen);
        return new UsageDetails { InputTokenCount = promptTokens ?? 0, OutputTokenCount = output, TotalTokenCount = (promptTokens ?? 0) + output };
    }

    public void Dispose() => _seen.Dispose();
}
