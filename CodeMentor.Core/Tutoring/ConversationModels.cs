namespace CodeMentor.Core.Tutoring;

public sealed record ConversationSummary(Guid Id, string Title, DateTime UpdatedAtUtc, bool Pinned = false, bool Archived = false);

/// <summary>A conversation found by a search, with the matching part of a message (null when only the title matched).</summary>
public sealed record ConversationMatch(ConversationSummary Conversation, string? Snippet);

public sealed record ConversationView(Guid Id, string Title, IReadOnlyList<ConversationMessage> Messages)
{
    public int TotalInputTokens => Messages.Sum(m => m.InputTokens ?? 0);
    public int TotalOutputTokens => Messages.Sum(m => m.OutputTokens ?? 0);
    public decimal TotalCostUsd => Messages.Sum(m => m.CostUsd ?? 0m);
}

/// <summary>The result of sending a message: what was saved, the run generating the reply
/// (if any), and a message for the learner when something was refused or is off.</summary>
public sealed record SendResult(ConversationMessage? UserMessage, ConversationMessage? Reply, GenerationRun? Run, string? Error,
    TimeSpan? RetryAfter = null)
{
    public bool Succeeded => Error is null;
    public static SendResult Refused(string error, TimeSpan? retryAfter = null) => new(null, null, null, error, retryAfter);
}
