using Microsoft.Extensions.AI;

namespace CodeMentor.Core.Llm.Resilience;

/// <summary>A reply whose first content has arrived: the updates read so far and the open stream
/// for the rest. From here on nothing is retried, since text has reached the learner.</summary>
public sealed class StreamStart(
    List<ChatResponseUpdate> buffered, IAsyncEnumerator<ChatResponseUpdate> rest, CancellationTokenSource streamCancellation, bool ended)
    : IAsyncDisposable
{
    public IReadOnlyList<ChatResponseUpdate> Buffered => buffered;
    public IAsyncEnumerator<ChatResponseUpdate> Rest => rest;
    public bool Ended => ended;

    public async ValueTask DisposeAsync()
    {
        await rest.DisposeAsync();
        streamCancellation.Dispose();
    }
}
