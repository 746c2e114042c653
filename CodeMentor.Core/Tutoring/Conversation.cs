namespace CodeMentor.Core.Tutoring;

public sealed class Conversation
{
    public const string DefaultTitle = "New conversation";
    public const int MaxTitleLength = 120;

    public Guid Id { get; set; } = Guid.NewGuid();
    public required string UserId { get; set; }
    public string Title { get; set; } = DefaultTitle;
    public DateTime CreatedAtUtc { get; set; }
    public DateTime UpdatedAtUtc { get; set; }
    public List<ConversationMessage> Messages { get; set; } = [];
}
