using CodeMentor.Core.Text;

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
    // While the reply is written: its text and reasoning in buffers rented from the pool. Once it is finished: the
    // saved text as strings (the final save's own copy), and the buffers back in the pool.
    private readonly PooledText _text = new(1024);
    private readonly PooledText _reasoning = new(1024);
    private string? _finalText;
    private string? _finalReasoning;
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
            return new(_finalText ?? _text.ToString(), _finalReasoning ?? _reasoning.ToString(), _status, _detail);
        }
    }

    /// <summary>What was added after the given lengths of text and reasoning.</summary>
    public GenerationDelta ReadFrom(int textLength, int reasoningLength)
    {
        lock (_gate)
        {
            var text = _finalText ?? _text.Span;
            var reasoning = _finalReasoning ?? _reasoning.Span;
            return new(After(text, textLength), After(reasoning, reasoningLength), text.Length, reasoning.Length, _status, _detail, _cost, _overhead);
        }
    }

    public int TextLength
    {
        get
        {
            lock (_gate)
            {
                return _finalText?.Length ?? _text.Length;
            }
        }
    }

    /// <summary>Whether the run has finished (its reply is final); cheap enough to ask on every change.</summary>
    public bool HasEnded => Volatile.Read(ref _finalText) is not null;

    private static string After(ReadOnlySpan<char> text, int length) => length < text.Length ? new string(text[length..]) : "";

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
            if (_finalText is not null)
            {
                return; // finished: the text is what was saved
            }
            _text.Append(text);
            _reasoning.Append(reasoning);
        }
        Changed?.Invoke();
    }

    /// <param name="costUsd">What the reply cost, as saved (null when the model has no price).</param>
    /// <param name="overhead">What CodeMentor's pipeline added to the call (provider time excluded).</param>
    /// <param name="saved">The reply as it was saved (its last <see cref="Snapshot"/>, taken after the last
    /// <see cref="Append"/>): kept as the run's text from now on instead of another copy of the buffers.</param>
    internal void Finish(MessageStatus status, string? detail, decimal? costUsd = null, TimeSpan? overhead = null, GenerationSnapshot? saved = null)
    {
        lock (_gate)
        {
            _finalText ??= saved?.Text ?? _text.ToString();
            _finalReasoning ??= saved?.Reasoning ?? _reasoning.ToString();
            _text.Dispose();
            _reasoning.Dispose();
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
