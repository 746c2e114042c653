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

    public ReplyBodyTests()
    {
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddSingleton<TimeProvider>(_clock);
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
