using System.Text;

namespace CodeMentor.Core.Tutoring;

/// <summary>What a reader of a run sees at one moment.</summary>
public sealed record GenerationSnapshot(string Text, string Reasoning, MessageStatus Status, string? StatusDetail);

/// <summary>What was added to a run since a reader last looked, and where the reader is now.</summary>
public readonly record struct GenerationDelta(string Text, string Reasoning, int TextLength, int ReasoningLength, MessageStatus Status, string? StatusDetail,
    decimal? CostUsd = null, TimeSpan? Overhead = null)
{
    public bool IsEmpty => Text.Length == 0 && Reasoning.Length == 0;
}

/// <summary>
/// One reply being generated on the server. It belongs to no browser circuit: pages (and hub
/// clients) subscribe to <see cref="Changed"/> and read what is new since their last look with
/// <see cref="ReadFrom"/> — only the new text is copied, however long the reply and however many
/// readers — so a reply costs the same per token at the end as at the start. When a page goes
/// away the run goes on and is saved.
/// </summary>
public sealed class GenerationRun
{
    public const string StoppedByLearner = "Stopped by you.";

    private readonly Lock _gate = new();
    private readonly StringBuilder _text = new();
    private readonly StringBuilder _reasoning = new();
    private readonly CancellationTokenSource _cancel = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private MessageStatus _status = MessageStatus.Streaming;
    private string? _detail;
    private decimal? _cost;
    private TimeSpan? _overhead;

    public GenerationRun(string userId, Guid conversationId, long messageId)
    {
        UserId = userId;
        ConversationId = conversationId;
        MessageId = messageId;
    }

    public string UserId { get; }
    public Guid ConversationId { get; }
    public long MessageId { get; }

    /// <summary>Why someone stopped the run (their words for the saved status), or null while nobody has.</summary>
    public string? StopReason { get; private set; }

    public bool StopRequested => StopReason is not null;
    public CancellationToken Token => _cancel.Token;

    /// <summary>Completes once the reply is saved, whatever its status.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Raised on the generating thread after each change; handlers must be quick.</summary>
    public event Action? Changed;

    /// <summary>The whole reply so far (copies it: for saving, not for streaming).</summary>
    public GenerationSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new(_text.ToString(), _reasoning.ToString(), _status, _detail);
        }
    }

    /// <summary>What was added after the given lengths of text and reasoning.</summary>
    public GenerationDelta ReadFrom(int textLength, int reasoningLength)
    {
        lock (_gate)
        {
            var text = textLength < _text.Length ? _text.ToString(textLength, _text.Length - textLength) : "";
            var reasoning = reasoningLength < _reasoning.Length ? _reasoning.ToString(reasoningLength, _reasoning.Length - reasoningLength) : "";
            return new(text, reasoning, _text.Length, _reasoning.Length, _status, _detail, _cost, _overhead);
        }
    }

    public int TextLength
    {
        get
        {
            lock (_gate)
            {
                return _text.Length;
            }
        }
    }

    /// <summary>Stops generation: cancels the upstream request, keeps the text so far.</summary>
    /// <param name="reason">What the saved status will say, e.g. "Stopped by you." or "Stopped by your client."</param>
    public void Stop(string reason = StoppedByLearner)
    {
        lock (_gate)
        {
            if (StopReason is not null || _status != MessageStatus.Streaming)
            {
                return;
            }
            StopReason = reason;
        }
        Abort();
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

    /// <param name="costUsd">What the reply cost, as saved (null when the model has no price).</param>
    /// <param name="overhead">What CodeMentor's pipeline added to the call (provider time excluded).</param>
    internal void Finish(MessageStatus status, string? detail, decimal? costUsd = null, TimeSpan? overhead = null)
    {
        lock (_gate)
        {
            _status = status;
            _detail = detail;
            _cost = costUsd;
            _overhead = overhead;
        }
        Changed?.Invoke();
        _cancel.Dispose();
        _completion.TrySetResult();
    }

    /// <summary>Cancellation used by shutdown, distinct from a learner's Stop.</summary>
    internal void Abort()
    {
        try
        {
            _cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Finished meanwhile.
        }
    }
}
