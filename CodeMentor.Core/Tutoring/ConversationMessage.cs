namespace CodeMentor.Core.Tutoring;

public enum MessageRole
{
    User = 0,
    Assistant = 1,
}

public enum MessageStatus
{
    Complete = 0,
    Streaming = 1,
    Stopped = 2,
    Failed = 3,
}

/// <summary>One message of a conversation. Ids increase with time, so ordering by Id is the
/// conversation's order.</summary>
public sealed class ConversationMessage
{
    public const int MaxContentLength = 200_000;

    public long Id { get; set; }
    public Guid ConversationId { get; set; }
    public Conversation? Conversation { get; set; }
    public MessageRole Role { get; set; }
    public string Content { get; set; } = "";

    /// <summary>The model's "thinking" (gpt-oss reasoning), kept apart from the answer.</summary>
    public string? Reasoning { get; set; }

    public MessageStatus Status { get; set; } = MessageStatus.Complete;

    /// <summary>While streaming: the node running the reply (<see cref="SharedState.NodeIdentity"/>), so
    /// that another node can tell a reply whose node has died from one still being written.</summary>
    public string? Node { get; set; }

    /// <summary>For Failed (and Stopped): what happened, written for the learner.</summary>
    public string? StatusDetail { get; set; }

    public DateTime CreatedAtUtc { get; set; }
    public string? Provider { get; set; }
    public string? Model { get; set; }
    public int? InputTokens { get; set; }
    public int? OutputTokens { get; set; }
    public int? ReasoningTokens { get; set; }

    /// <summary>Tokens of <see cref="Content"/> (o200k_base), counted once when saved so the
    /// context window does not tokenize the conversation again on every turn.</summary>
    public int? ContentTokens { get; set; }

    /// <summary>Cost of the reply in pico-dollars (see <see cref="Usage.Money.PicoPerUsd"/>); null when the model has no price.</summary>
    public long? CostPico { get; set; }

    /// <summary>The course material the reply was given to cite, as JSON (<see cref="Courses.Material.CourseSourcesContent"/>);
    /// null outside a course with material.</summary>
    public string? Sources { get; set; }

    /// <summary>True when the reply was served from the response cache.</summary>
    public bool FromCache { get; set; }

    public decimal? CostUsd => Usage.Money.FromPico(CostPico);
}
