using System.Text;

namespace CodeMentor.Core.Tutoring;

/// <summary>What a reader of a run sees at one moment.</summary>
public sealed record GenerationSnapshot(string Text, string Reasoning, MessageStatus Status, string? StatusDetail);

/// <summary>
/// One reply being generated on the server. It belongs to no browser circuit: pages (and hub
/// clients) subscribe to <see cref="Changed"/> and read <see cref="Snapshot"/>; when a page goes
/// away the run goes on and is saved.
/// </summary>
public sealed class GenerationRun
{
    private readonly Lock _gate = new();
    private readonly StringBuilder _text = new();
    private readonly StringBuilder _reasoning = new();
    private readonly CancellationTokenSource _cancel = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private MessageStatus _status = MessageStatus.Streaming;
    private string? _detail;

    public GenerationRun(string userId, Guid conversationId, long messageId)
    {
        UserId = userId;
        ConversationId = conversationId;
        MessageId = messageId;
    }

    public string UserId { get; }
    public Guid ConversationId { get; }
    public long MessageId { get; }
    public bool StopRequested { get; private set; }
    public CancellationToken Token => _cancel.Token;

    /// <summary>Completes once the reply is saved, whatever its status.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Raised on the generating thread after each change; handlers must be quick.</summary>
    public event Action? Changed;

    public GenerationSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new(_text.ToString(), _reasoning.ToString(), _status, _detail);
        }
    }

    /// <summary>Stops generation: cancels the upstream request, keeps the text so far.</summary>
    public void Stop()
    {
        StopRequested = true;
        _cancel.Cancel();
    }

    internal void Append(string? text, string? reasoning)
    {
        lock (_gate)
        {
            _text.Append(text);
            _reasoning.Append(reasoning);
        }
        Changed?.Invoke();
    }

    internal void Finish(MessageStatus status, string? detail)
    {
        lock (_gate)
        {
            _status = status;
            _detail = detail;
        }
        Changed?.Invoke();
        _cancel.Dispose();
        _completion.TrySetResult();
    }

    /// <summary>Cancellation used by shutdown, distinct from a learner's Stop.</summary>
    internal void Abort() => _cancel.Cancel();
}
