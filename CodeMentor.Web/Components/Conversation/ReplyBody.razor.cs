using CodeMentor.Core.Markdown;
using CodeMentor.Core.Tutoring;
using Microsoft.AspNetCore.Components;

namespace CodeMentor.Web.Components.Conversation;

/// <summary>
/// A tutor reply's text: live while its run streams, then as saved. While streaming, only what is
/// new is read from the run and appended to an <see cref="IncrementalMarkdown"/>; finished blocks
/// become <see cref="Shared.MarkupChunk"/>s that are sent once, and only the open block changes.
/// When the run ends the text is completed in place (equal to a one-shot render of it), so the
/// saved reply that replaces the live one in the thread is not sent again.
/// </summary>
public sealed partial class ReplyBody : ComponentBase, IDisposable
{
    /// <summary>Re-render at most this often, however fast tokens arrive, while the reply is short.</summary>
    public static readonly TimeSpan RenderInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Past this many characters of text a reply re-renders less often: the interval grows in proportion
    /// to the text shown (twice this length, twice the interval), up to <see cref="LongestRenderInterval"/>.
    /// Why: each update costs the browser a frame whose fixed part (style, layout, paint and commit of a page this
    /// size, and following the newest text) is ~12-18 ms and grows with the page, while the new text in it is a
    /// small part; a 16,000-token reply made 33 such frames. A learner reads far slower than any interval here.</summary>
    public const int LongReplyCharacters = 8_000;

    /// <summary>The longest wait between two renders of a streaming reply, however long it grows.</summary>
    public static readonly TimeSpan LongestRenderInterval = TimeSpan.FromMilliseconds(400);

    /// <summary>The interval between renders of a reply that shows this many characters of text.</summary>
    public static TimeSpan IntervalFor(int textLength) => textLength <= LongReplyCharacters
        ? RenderInterval
        : TimeSpan.FromTicks(Math.Min(LongestRenderInterval.Ticks, RenderInterval.Ticks * textLength / LongReplyCharacters));

    /// <summary>Reasoning is shown in pieces of this many characters, each sent once.</summary>
    private const int ReasoningPiece = 2048;

    [Inject] private TimeProvider Time { get; set; } = default!;

    /// <summary>The saved message (its text is used when there is no live run).</summary>
    [Parameter, EditorRequired] public ConversationMessage Message { get; set; } = default!;

    /// <summary>The run writing this reply, while it is being written.</summary>
    [Parameter] public GenerationRun? Run { get; set; }

    /// <summary>Raised once when the live run has ended.</summary>
    [Parameter] public EventCallback OnFinished { get; set; }

    private IncrementalMarkdown _markdown = new();
    private MarkdownFrame _frame = new([], "");
    private readonly System.Text.StringBuilder _reasoning = new();
    private readonly List<string> _reasoningPieces = [];
    private string _reasoningTail = "";
    private GenerationRun? _subscribed;
    private int _textRead;
    private int _reasoningRead;
    private int _renderScheduled;
    private int _changes;
    private long _lastRender;
    private bool _finishedRaised;
    private bool _runEnded;
    private long _shownFor = -1;

    /// <summary>Whether this component followed a run. Its finished blocks are then components, each sent to the
    /// browser once while the reply streams, and stay so after it ends (redrawing them as plain markup would send the
    /// whole reply again). A reply shown as saved draws its blocks as plain markup instead: a component per block would
    /// stay in the circuit, with its render buffer (about 2 KB each), for as long as the page is open.</summary>
    private bool _streamedHere;

    private bool Live => _subscribed is not null && !_finishedRaised;

    protected override void OnParametersSet()
    {
        if (Run is { } run && !ReferenceEquals(run, _subscribed))
        {
            Unsubscribe();
            _subscribed = run;
            _streamedHere = true;
            run.Changed += OnRunChanged;
            CatchUp();
            return;
        }
        if (Run is null && _subscribed is null && _shownFor != Message.Id + Message.Content.Length)
        {
            // A saved reply (or one this component did not stream): render it whole.
            _shownFor = Message.Id + Message.Content.Length;
            _markdown = new IncrementalMarkdown();
            _markdown.Append(Message.Content);
            _frame = _markdown.Complete();
            SetReasoning(Message.Reasoning ?? "");
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // The run has ended (its reply is saved before it says so): hand over to the saved message.
        if (_subscribed is not null && !_finishedRaised && _runEnded)
        {
            _finishedRaised = true;
            Unsubscribe();
            await OnFinished.InvokeAsync();
        }
    }

    /// <summary>Reads what is new in the run and renders it (on the renderer's thread).</summary>
    private void CatchUp()
    {
        if (_subscribed is not { } run)
        {
            return;
        }
        var delta = run.ReadFrom(_textRead, _reasoningRead);
        (_textRead, _reasoningRead) = (delta.TextLength, delta.ReasoningLength);
        _markdown.Append(delta.Text);
        if (delta.Reasoning.Length > 0)
        {
            SetReasoning(_reasoning + delta.Reasoning);
        }
        _runEnded = delta.Status != MessageStatus.Streaming;
        _frame = _runEnded ? _markdown.Complete() : _markdown.Render();
        // Only a render that showed something starts the interval: subscribing before the first token
        // must not hold that token back for a whole interval.
        if (delta.Text.Length > 0 || delta.Reasoning.Length > 0)
        {
            Volatile.Write(ref _lastRender, Time.GetTimestamp());
        }
    }

    private void SetReasoning(string reasoning)
    {
        _reasoning.Clear().Append(reasoning);
        while (_reasoningPieces.Count * ReasoningPiece + ReasoningPiece <= _reasoning.Length)
        {
            _reasoningPieces.Add(_reasoning.ToString(_reasoningPieces.Count * ReasoningPiece, ReasoningPiece));
        }
        var done = _reasoningPieces.Count * ReasoningPiece;
        _reasoningTail = _reasoning.ToString(done, _reasoning.Length - done);
    }

    /// <summary>Called on the generating thread for every token: coalesce into one render per interval.</summary>
    private void OnRunChanged()
    {
        Interlocked.Increment(ref _changes);
        if (_subscribed is { HasEnded: true })
        {
            // The end of a reply (its last words and its status) is drawn at once, not an interval later: there is
            // nothing left to coalesce. A render still scheduled then does nothing (RenderNow).
            _ = InvokeAsync(RenderNow);
            return;
        }
        ScheduleRender();
    }

    private void ScheduleRender()
    {
        if (Interlocked.Exchange(ref _renderScheduled, 1) == 0)
        {
            _ = RenderSoonAsync();
        }
    }

    private async Task RenderSoonAsync()
    {
        var wait = IntervalFor(Volatile.Read(ref _textRead)) - Time.GetElapsedTime(Volatile.Read(ref _lastRender));
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, Time);
        }
        await InvokeAsync(RenderNow);
    }

    /// <summary>On the renderer's thread. The interval is stamped (by <see cref="CatchUp"/>) before another render
    /// may be scheduled: before, a token that arrived while a render was being prepared was scheduled against the
    /// previous stamp and drew again at once, so a fast reply cost the browser two updates per interval.</summary>
    private void RenderNow()
    {
        if (_finishedRaised)
        {
            return; // the end was drawn at once (OnRunChanged) and handed over: a render scheduled before it has nothing to add
        }
        var changesSeen = Volatile.Read(ref _changes);
        CatchUp();
        StateHasChanged();
        // A full fence (not a volatile write): the count below must not be read before the flag is seen cleared.
        Interlocked.Exchange(ref _renderScheduled, 0);
        // A change after the count was read found a render still scheduled and did not schedule one: it gets the next.
        if (Volatile.Read(ref _changes) != changesSeen)
        {
            ScheduleRender();
        }
    }

    private static string? CodeClass(OpenCodeBlock code) => code.Language.Length > 0 ? "language-" + code.Language : null;

    private void Unsubscribe()
    {
        if (_subscribed is not null)
        {
            _subscribed.Changed -= OnRunChanged;
        }
    }

    public void Dispose() => Unsubscribe();
}
