namespace CodeMentor.Core.Usage;

/// <summary>
/// A model call that has started and not yet been written to the ledger. Written when the call
/// starts, updated with what it has produced every checkpoint, and removed in the same batch as
/// its ledger row. A call still here at startup was cut off by a hard kill: it becomes a ledger
/// row marked interrupted and estimated, so no call goes unrecorded.
/// </summary>
public sealed class InFlightCall
{
    public Guid Id { get; set; }
    public DateTime StartedAtUtc { get; set; }
    public string UserId { get; set; } = "";
    public Guid? ConversationId { get; set; }
    public string Feature { get; set; } = "";
    public string Provider { get; set; } = "";
    public string Model { get; set; } = "";

    /// <summary>Tokens of the prompt as sent (counted by the context window), once known.</summary>
    public int PromptTokens { get; set; }

    /// <summary>Estimated tokens of the reply so far (characters / 4 until the provider reports usage).</summary>
    public int OutputTokensSoFar { get; set; }

    public DateTime LastProgressUtc { get; set; }

    /// <summary>The node making the call (<see cref="SharedState.NodeIdentity"/>).</summary>
    public string? Node { get; set; }
}
