using CodeMentor.Core.Tokens;
using Microsoft.Extensions.AI;

namespace CodeMentor.Core.Llm.Context;

/// <summary>Chooses which messages of a conversation are sent to the model: the system prompt(s)
/// and the newest message always (a learner's message within the page's limit is never refused for
/// the history budget; only one beyond the model's own context is), then the earlier messages that
/// fit both budgets, in their original order. A message is never cut mid-way: one that does not fit
/// ends the window.</summary>
public sealed class ContextWindow(TokenCounter tokens)
{
    /// <summary>Tokens the whole prompt costs, reply primer included.</summary>
    public int Count(IReadOnlyList<ChatMessage> messages)
    {
        var total = TokenCounter.ReplyPrimer;
        foreach (var message in messages)
        {
            total += Cost(message);
        }
        return total;
    }

    private int Cost(ChatMessage message) =>
        message is CountedChatMessage counted
            ? counted.TextTokens + TokenCounter.PerMessageOverhead
            : tokens.CountMessage(message.Text);

    /// <param name="maxTokens">Budget for the system prompt and the history (LLM_CONTEXT_MAX_TOKENS).</param>
    /// <param name="modelTokens">What the model can read at once, reply excluded: the only limit on the newest message.</param>
    public ContextWindowResult Select(IReadOnlyList<ChatMessage> messages, int maxMessages, int maxTokens, int modelTokens = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        var system = new List<ChatMessage>();
        var history = new List<ChatMessage>(messages.Count);
        foreach (var message in messages)
        {
            (message.Role == ChatRole.System ? system : history).Add(message);
        }

        var used = TokenCounter.ReplyPrimer;
        foreach (var message in system)
        {
            used += Cost(message);
        }

        var kept = 0;
        if (history.Count > 0)
        {
            var newestCost = Cost(history[^1]);
            if (used + newestCost > modelTokens)
            {
                return ContextWindowResult.Refused(newestCost, modelTokens - used);
            }
            used += newestCost;
            kept = 1;
        }

        // Walk back from the newest message and stop at the first that does not fit, so the
        // window is always a contiguous, most recent run of the conversation.
        for (var i = history.Count - 2; i >= 0 && kept < maxMessages; i--)
        {
            var cost = Cost(history[i]);
            if (used + cost > maxTokens)
            {
                break;
            }
            used += cost;
            kept++;
        }

        var window = new List<ChatMessage>(system.Count + kept);
        window.AddRange(system);
        window.AddRange(history.Skip(history.Count - kept));
        return ContextWindowResult.Fits(window, used, history.Count - kept);
    }
}

public sealed record ContextWindowResult(
    bool IsRefused,
    IReadOnlyList<ChatMessage> Messages,
    int TokenCount,
    int DroppedMessages,
    int RefusedMessageTokens,
    int AvailableTokens)
{
    public static ContextWindowResult Fits(IReadOnlyList<ChatMessage> messages, int tokenCount, int dropped) =>
        new(false, messages, tokenCount, dropped, 0, 0);

    public static ContextWindowResult Refused(int messageTokens, int available) =>
        new(true, [], 0, 0, messageTokens, Math.Max(0, available));

    public string RefusalMessage =>
        $"Your message is about {RefusedMessageTokens:N0} tokens, more than the {AvailableTokens:N0} tokens the tutor can read at once. " +
        "Shorten it or split it into smaller parts; nothing was sent.";
}

/// <summary>A message with its text's token count, computed once when it was saved, so a long conversation is not
/// tokenized again on every turn. A type of its own rather than an entry of <see cref="ChatMessage.AdditionalProperties"/>:
/// every turn loads its recent history, and a dictionary per message was a measurable share of a turn's allocation.</summary>
public sealed class CountedChatMessage(ChatRole role, string? text, int textTokens) : ChatMessage(role, text)
{
    public int TextTokens { get; } = textTokens;
}
