namespace CodeMentor.Core.Tutoring;

public sealed class Conversation
{
    public const string DefaultTitle = "New conversation";
    public const int MaxTitleLength = 120;

    public Guid Id { get; set; } = Guid.NewGuid();
    public required string UserId { get; set; }
    public string Title { get; set; } = DefaultTitle;

    /// <summary>Chat conversations are listed on the chat page; the others hold the streamed reply
    /// of a code review, an onboarding interview or a concept explanation.</summary>
    public ConversationKind Kind { get; set; } = ConversationKind.Chat;
    public DateTime CreatedAtUtc { get; set; }
    public DateTime UpdatedAtUtc { get; set; }

    /// <summary>When the learner pinned it to the top of the list; null when not pinned.</summary>
    public DateTime? PinnedAtUtc { get; set; }

    /// <summary>Archived chats leave the list (they stay searchable and exportable) until the learner
    /// restores them or writes in them again.</summary>
    public bool Archived { get; set; }
    public List<ConversationMessage> Messages { get; set; } = [];
}

public enum ConversationKind
{
    Chat = 0,
    Review = 1,
    Onboarding = 2,
    Concept = 3,
}
