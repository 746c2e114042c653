using System.Security.Claims;
using Bunit;
using CodeMentor.Core.Data;
using CodeMentor.Core.Llm;
using CodeMentor.Core.Prompts;
using CodeMentor.Core.Tutoring;
using CodeMentor.Tests.Support;
using CodeMentor.Web.Components.Layout;
using CodeMentor.Web.Components.Conversation;
using CodeMentor.Web.Components.Pages.Chat;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace CodeMentor.Tests.Components;

/// <summary>The chat page's states, rendered with bunit over the real services and a SQLite file;
/// only the model is scripted, so each state can be reached on cue.</summary>
public sealed class ChatPageTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private BunitHost _host = default!;
    private BunitContext _ctx => _host.Context;
    private ScriptedChatClient _model => _host.Model;
    private string _ada => _host.UserId;

    public async Task InitializeAsync() => _host = await BunitHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private ConversationService Conversations => _ctx.Services.GetRequiredService<ConversationService>();

    private ConversationStore Store => _ctx.Services.GetRequiredService<ConversationStore>();

    private async Task<IRenderedComponent<Chat>> OpenConversationAsync()
    {
        var id = await Store.CreateAsync(_ada, new LearnerContext());
        return _ctx.Render<Chat>(p => p.Add(c => c.ConversationId, id));
    }

    private static void Type(IRenderedComponent<Chat> page, string text) =>
        page.Find("[data-testid=chat-input]").Input(text);

    private static void ClickSend(IRenderedComponent<Chat> page) =>
        page.Find("button[data-testid=send]").Click();

    [Fact]
    public void Without_a_conversation_the_page_offers_the_input_at_once()
    {
        var page = _ctx.Render<Chat>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=chat-empty]")), Wait);
        Assert.Empty(page.FindAll("[data-testid=conversation-link]"));
        Assert.Single(page.FindAll("[data-testid=chat-input]")); // no extra click to start typing
    }

    [Fact]
    public async Task A_new_conversation_shows_the_greeting_and_an_empty_input()
    {
        var page = await OpenConversationAsync();

        page.WaitForAssertion(() => Assert.Contains("I'm CodeMentor", page.Find("[data-testid=message-text]").TextContent), Wait);
        Assert.Single(page.FindAll("[data-testid=conversation-link]"));
        Assert.True(page.Find("button[data-testid=send]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task While_streaming_the_reply_grows_and_can_be_stopped_keeping_its_text()
    {
        var page = await OpenConversationAsync();
        Type(page, "What is a loop?");
        ClickSend(page);

        _model.Send("A loop **repeats**");
        page.WaitForAssertion(() =>
        {
            var streaming = page.Find("[data-status=Streaming] [data-testid=message-text]");
            Assert.Contains("A loop repeats", streaming.TextContent);
            Assert.NotNull(streaming.QuerySelector("strong"));
        }, Wait);
        page.WaitForAssertion(() => Assert.Equal("", page.Find("[data-testid=chat-input]").GetAttribute("value") ?? ""), Wait);
        Assert.True(page.Find("button[data-testid=send]").HasAttribute("disabled"));

        page.Find("button[data-testid=stop]").Click();

        page.WaitForAssertion(() =>
        {
            var stopped = page.Find("[data-status=Stopped]");
            Assert.Contains("A loop repeats", stopped.TextContent);
            Assert.Contains("Reply stopped", stopped.QuerySelector("[data-testid=message-status]")!.TextContent);
            Assert.NotNull(stopped.QuerySelector("[data-testid=regenerate]"));
        }, Wait);
    }

    [Fact]
    public async Task A_failed_reply_keeps_its_partial_text_and_says_why()
    {
        var page = await OpenConversationAsync();
        Type(page, "Explain recursion");
        ClickSend(page);

        _model.Send("Recursion is when");
        page.WaitForAssertion(() => Assert.Contains("Recursion is when", page.Find("[data-status=Streaming]").TextContent), Wait);
        _model.Fail(new LlmException(LlmFailureCategory.StreamInterrupted, "The connection to Groq dropped during the reply."));

        page.WaitForAssertion(() =>
        {
            var failed = page.Find("[data-status=Failed]");
            Assert.Contains("Recursion is when", failed.TextContent);
            Assert.Contains("Reply failed: The connection to Groq dropped", failed.QuerySelector("[data-testid=message-status]")!.TextContent);
        }, Wait);
        Assert.Contains("Explain recursion", page.Find("[data-role=User]").TextContent);
    }

    [Fact]
    public async Task A_completed_reply_shows_markdown_safely_and_regenerate()
    {
        var page = await OpenConversationAsync();
        Type(page, "Show me HTML");
        ClickSend(page);

        _model.Send("Here: <script>alert('x')</script>\n\n```html\n<b>bold</b>\n```");
        _model.Finish();

        page.WaitForAssertion(() =>
        {
            var reply = page.FindAll("[data-role=Assistant][data-status=Complete]")[^1];
            Assert.Empty(reply.QuerySelectorAll("script"));
            Assert.Contains("<b>bold</b>", reply.QuerySelector("code")!.TextContent);
            Assert.NotNull(reply.QuerySelector("[data-testid=regenerate]"));
        }, Wait);
    }

    [Fact]
    public async Task A_streamed_reply_sends_each_finished_block_once_and_keeps_it_when_saved()
    {
        var page = await OpenConversationAsync();
        Type(page, "Explain loops");
        ClickSend(page);

        _model.Send("First paragraph about loops.\n\n");
        _model.Send("Second paragraph, still streaming");
        page.WaitForAssertion(() => Assert.Contains("Second paragraph", page.Find("[data-status=Streaming]").TextContent), Wait);
        _model.Send(".\n\n```python\nfor x in xs:\n    print(x)\n");
        _model.Send("```\n\nDone.");
        _model.Finish();

        page.WaitForAssertion(() => Assert.Contains("Done.", page.FindAll("[data-role=Assistant][data-status=Complete]")[^1].TextContent), Wait);
        // Every finished block was rendered (and so sent to the browser) once, through the stream
        // and the switch to the saved reply alike.
        // (The greeting, shown as saved, draws its text as markup without a component: every chunk is the reply's.)
        var chunks = page.FindComponents<CodeMentor.Web.Components.Shared.MarkupChunk>().ToList();
        Assert.NotEmpty(chunks);
        Assert.All(chunks, c => Assert.Equal(1, c.RenderCount));
        // And what is shown is exactly the one-shot render of the saved text.
        var saved = page.FindAll("[data-role=Assistant][data-status=Complete] [data-testid=message-text]")[^1].InnerHtml;
        Assert.Equal(Core.Markdown.SafeMarkdown.ToHtml("First paragraph about loops.\n\nSecond paragraph, still streaming.\n\n```python\nfor x in xs:\n    print(x)\n```\n\nDone."),
            string.Concat(chunks.Select(c => c.Markup)));
        Assert.Contains("<span", saved); // the code block is highlighted once it closed
    }

    [Fact]
    public async Task A_refused_message_stays_in_the_box_with_the_reason()
    {
        var page = await OpenConversationAsync();
        var huge = string.Join(' ', Enumerable.Repeat("token", 6000));
        Type(page, huge);
        ClickSend(page);

        // Over the limit: the page says so at once and refuses to send; the text stays in the box.
        page.WaitForAssertion(() => Assert.Equal("Your message is 35,999 characters; the limit is 32,000. Shorten it or split it; nothing was sent.",
            page.Find("[data-testid=chat-input-count]").TextContent.Trim()), Wait);
        Assert.True(page.Find("button[data-testid=send]").HasAttribute("disabled"));
        Assert.Equal(huge, page.Find("[data-testid=chat-input]").GetAttribute("value"));
        Assert.Empty(_model.Calls);
    }

    [Fact]
    public async Task Someone_elses_conversation_is_not_found()
    {
        var bob = Guid.NewGuid().ToString();
        await _host.AddUserAsync(bob, "bob@example.org");
        var bobsConversation = await Store.CreateAsync(bob, new LearnerContext("Bob"));

        var page = _ctx.Render<Chat>(p => p.Add(c => c.ConversationId, bobsConversation));

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=conversation-not-found]")), Wait);
        Assert.DoesNotContain("Bob", page.Markup);
    }
}

public sealed class LlmBannerTests : IAsyncLifetime
{
    private readonly BunitContext _ctx = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    private IRenderedComponent<LlmBanner> Render(LlmOptions options)
    {
        _ctx.Services.AddMudServices();
        _ctx.Services.AddSingleton(new LlmStatus(Microsoft.Extensions.Options.Options.Create(options)));
        return _ctx.Render<LlmBanner>();
    }

    [Fact]
    public void Without_a_key_the_simulator_banner_says_so_and_how_to_connect()
    {
        var banner = Render(new LlmOptions()).Find("[data-testid=llm-banner]");

        Assert.Equal("Simulator", banner.GetAttribute("data-mode"));
        Assert.Contains("Offline simulator", banner.TextContent);
        Assert.Contains("GROQ_API_KEY", banner.TextContent);
    }

    [Fact]
    public void With_a_key_there_is_no_banner()
    {
        Assert.Empty(Render(new LlmOptions { Groq = { ApiKey = "k" } }).FindAll("[data-testid=llm-banner]"));
    }

    [Fact]
    public void When_turned_off_the_banner_names_the_setting()
    {
        var banner = Render(new LlmOptions { Enabled = false }).Find("[data-testid=llm-banner]");

        Assert.Contains("LLM_ENABLED=false", banner.TextContent);
    }
}
