using Bunit;
using CodeMentor.Core.Tutoring;
using CodeMentor.Web.Components.Conversation;
using CodeMentor.Web.Components.Pages.Chat;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CodeMentor.Tests.Components;

/// <summary>How a streaming reply is drawn: tokens coalesce into one render per interval, on a fake
/// clock, and the first words never wait for an interval.</summary>
public sealed class ReplyBodyTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly BunitContext _ctx = new();
    private readonly FakeTimeProvider _clock = new();
    private readonly ClockWithReadHook _time;

    public ReplyBodyTests()
    {
        _time = new ClockWithReadHook(_clock);
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddSingleton<TimeProvider>(_time);
    }

    public void Dispose() => _ctx.Dispose();

    private IRenderedComponent<ReplyBody> RenderLive(GenerationRun run) =>
        _ctx.Render<ReplyBody>(p => p
            .Add(c => c.Message, new ConversationMessage { Id = run.MessageId, Role = MessageRole.Assistant, Status = MessageStatus.Streaming, Content = "" })
            .Add(c => c.Run, run));

    [Fact]
    public void The_first_words_show_at_once_though_the_page_subscribed_before_them_and_later_ones_wait_for_the_interval()
    {
        var run = new GenerationRun("ada", Guid.NewGuid(), 1);
        var body = RenderLive(run); // subscribed while the run has no text yet

        run.Append("A loop ", null);
        body.WaitForAssertion(() => Assert.Contains("A loop", body.Find("[data-testid=message-text]").TextContent), Wait);

        run.Append("repeats.", null);
        _clock.Advance(ReplyBody.RenderInterval / 2);
        Assert.DoesNotContain("repeats", body.Find("[data-testid=message-text]").TextContent);
        _clock.Advance(ReplyBody.RenderInterval / 2);
        body.WaitForAssertion(() => Assert.Contains("A loop repeats.", body.Find("[data-testid=message-text]").TextContent), Wait);
    }

    [Fact]
    public void A_token_that_arrives_while_a_render_is_prepared_is_drawn_in_the_next_interval_not_at_once()
    {
        var run = new GenerationRun("ada", Guid.NewGuid(), 1);
        var body = RenderLive(run);
        run.Append("Tokens ", null);
        body.WaitForAssertion(() => Assert.Contains("Tokens", Text(body)), Wait);
        var rendersBefore = body.RenderCount;

        const int intervals = 20;
        for (var i = 0; i < intervals; i++)
        {
            run.Append($"t{i:00} ", null);
            // The render that shows t{i} stamps its interval while reading the clock: another token arrives then.
            var late = $"late{i:00} ";
            _time.OnNextRead(() => run.Append(late, null));
            _clock.Advance(ReplyBody.RenderInterval);
            body.WaitForAssertion(() => Assert.Contains($"t{i:00}", Text(body)), Wait);
        }
        // The last token arrived mid-render and nothing came after it: it is still drawn, an interval later.
        _clock.Advance(ReplyBody.RenderInterval);
        body.WaitForAssertion(() => Assert.Contains("late19", Text(body)), Wait);

        // One render per interval: a token arriving mid-render used to draw again at once.
        Assert.Equal(intervals + 1, body.RenderCount - rendersBefore);
        // Nothing that arrived mid-render was lost.
        Assert.All(Enumerable.Range(0, intervals), i => Assert.Contains($"t{i:00} late{i:00}", Text(body)));
    }

    [Theory]
    [InlineData(ReplyBody.LongReplyCharacters * 2, 200)]
    [InlineData(ReplyBody.LongReplyCharacters * 3, 300)]
    [InlineData(ReplyBody.LongReplyCharacters * 20, 400)]
    public void A_long_reply_renders_less_often_as_it_grows_up_to_the_longest_interval(int shown, int intervalMs)
    {
        var run = new GenerationRun("ada", Guid.NewGuid(), 1);
        var body = RenderLive(run);
        run.Append(new string('x', shown - 1) + " ", null);
        body.WaitForAssertion(() => Assert.EndsWith("x", Text(body).TrimEnd()), Wait);

        run.Append("next", null);
        // Still waiting a moment before its interval is up: neither the short reply's interval nor most of its own.
        _clock.Advance(TimeSpan.FromMilliseconds(intervalMs - 1));
        Assert.DoesNotContain("next", Text(body));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        body.WaitForAssertion(() => Assert.EndsWith("next", Text(body).TrimEnd()), Wait);
    }

    [Fact]
    public void The_end_of_a_long_reply_is_drawn_at_once_not_an_interval_later()
    {
        var run = new GenerationRun("ada", Guid.NewGuid(), 1);
        var body = RenderLive(run);
        run.Append(new string('x', ReplyBody.LongReplyCharacters * 4) + " ", null);
        body.WaitForAssertion(() => Assert.EndsWith("x", Text(body).TrimEnd()), Wait);

        run.Append("The end.", null); // waits for the long reply's interval...
        run.Finish(MessageStatus.Complete, null); // ...until the run ends: then it is drawn without the clock moving
        body.WaitForAssertion(() => Assert.EndsWith("The end.", Text(body).TrimEnd()), Wait);

        // The render that was waiting for the interval has nothing to add when its time comes.
        var renders = body.RenderCount;
        _clock.Advance(ReplyBody.LongestRenderInterval);
        Assert.Equal(renders, body.RenderCount);
    }

    private static string Text(IRenderedComponent<ReplyBody> body) => body.Find("[data-testid=message-text]").TextContent;

    /// <summary>The test's clock, which can run an action the next time someone reads it (to land a token in the
    /// middle of a render).</summary>
    private sealed class ClockWithReadHook(FakeTimeProvider clock) : TimeProvider
    {
        private Action? _onNextRead;

        public void OnNextRead(Action action) => _onNextRead = action;

        public override long GetTimestamp()
        {
            var now = clock.GetTimestamp();
            Interlocked.Exchange(ref _onNextRead, null)?.Invoke();
            return now;
        }

        public override long TimestampFrequency => clock.TimestampFrequency;
        public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();
        public override TimeZoneInfo LocalTimeZone => clock.LocalTimeZone;
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            clock.CreateTimer(callback, state, dueTime, period);
    }

    [Fact]
    public void A_saved_reply_draws_the_same_html_as_the_same_reply_streamed_but_no_component_per_block()
    {
        const string text = "## Loops\n\nA **loop** repeats.\n\n- one\n- two\n\n```python\nfor x in xs:\n    print(x)\n```\n\n> Try it.\n\nDone.";
        var run = new GenerationRun("ada", Guid.NewGuid(), 1);
        var streamed = RenderLive(run);
        foreach (var piece in text.Chunk(7))
        {
            run.Append(new string(piece), null);
            _clock.Advance(ReplyBody.RenderInterval);
        }
        run.Finish(MessageStatus.Complete, null);
        streamed.WaitForAssertion(() => Assert.Contains("Done.", streamed.Find("[data-testid=message-text]").TextContent), Wait);

        var saved = _ctx.Render<ReplyBody>(p => p.Add(c => c.Message,
            new ConversationMessage { Id = 2, Role = MessageRole.Assistant, Status = MessageStatus.Complete, Content = text }));

        // Where the text is cut into parts depends on how it arrived; the HTML of the parts, in order, does not.
        static string Parts(IRenderedComponent<ReplyBody> body) => string.Concat(body.FindAll(".md-part").Select(p => p.InnerHtml));
        Assert.Equal(Parts(streamed), Parts(saved));
        Assert.Contains("<pre", Parts(saved));
        // Streamed, each finished part is a component that was sent once; saved, the parts are the reply's own markup.
        Assert.Equal(streamed.FindAll(".md-part").Count, streamed.FindComponents<CodeMentor.Web.Components.Shared.MarkupChunk>().Count);
        Assert.NotEmpty(saved.FindAll(".md-part"));
        Assert.Empty(saved.FindComponents<CodeMentor.Web.Components.Shared.MarkupChunk>());
    }
}
