namespace CodeMentor.Core.Tutoring;

/// <summary>
/// Replies followable from any node: the node running a reply publishes it as it grows, and another
/// node (a page reloaded onto it, a second tab) follows it as a local <see cref="GenerationRun"/> that
/// grows the same way, whose Stop reaches the running node. One node alone has nothing to share.
/// </summary>
public interface IRunFanOut
{
    /// <summary>Publishes a run this node has started, until it ends.</summary>
    void Publish(GenerationRun run);

    /// <summary>The user's reply running on another node, followed here; null when there is none.</summary>
    GenerationRun? Follow(string userId, long messageId);
}

internal sealed class InProcessRunFanOut : IRunFanOut
{
    public void Publish(GenerationRun run)
    {
    }

    public GenerationRun? Follow(string userId, long messageId) => null;
}
