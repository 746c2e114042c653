namespace CodeMentor.Core.Tutoring;

/// <summary>A saved code review request. The streamed review itself is the reply message of
/// <see cref="ConversationId"/>, so it streams, survives reloads and is kept like a chat reply.</summary>
public sealed class CodeReview
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public required string UserId { get; set; }
    public Guid ConversationId { get; set; }
    public string Language { get; set; } = "";
    public string Level { get; set; } = "beginner";
    public string Goals { get; set; } = "";
    public string? RepositoryUrl { get; set; }
    public string FileNames { get; set; } = "";
    public string Code { get; set; } = "";

    /// <summary>Compiler diagnostics (C#), one per line: "error CS1002 (line 3): ; expected".</summary>
    public string Diagnostics { get; set; } = "";

    public DateTime CreatedAtUtc { get; set; }
}
