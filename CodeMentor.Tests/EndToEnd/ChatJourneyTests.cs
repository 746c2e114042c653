using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CodeMentor.Tests.EndToEnd;

/// <summary>The newcomer's journey in headless Chromium: register, chat, watch the reply stream,
/// reload, and privacy between accounts.</summary>
[Collection(PortalCollection.Name)]
public sealed class ChatJourneyTests(PortalFixture portal)
{
    internal static async Task<string> RegisterAsync(IPage page)
    {
        var email = $"learner-{Guid.NewGuid():N}@example.org";
        await page.GotoAsync("account/register");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", "correct-horse-42");
        await page.FillAsync("#confirm", "correct-horse-42");
        await page.ClickAsync("[data-testid=register-submit]");
        // Registered and sent to the chat; what the page must then do is waited for by each test (its ready flag),
        // not the browser's load event (see PageAddress).
        await page.WaitForAddressAsync("/chat$");
        return email;
    }

    internal static async Task WaitUntilInteractiveAsync(IPage page) =>
        await Expect(page.Locator("[data-testid=chat-page]")).ToHaveAttributeAsync("data-ready", "true");

    internal static async Task<string> StartConversationAsync(IPage page)
    {
        await WaitUntilInteractiveAsync(page);
        await page.ClickAsync("[data-testid=new-conversation]");
        await page.WaitForAddressAsync("/chat/[^/]*$");
        // The address changes before the conversation is drawn; until then the box of /chat is still there.
        await Expect(page.Locator("[data-testid=conversation-title]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=chat-input]")).ToBeVisibleAsync();
        return page.Url;
    }

    internal static async Task AskAsync(IPage page, string question)
    {
        await Expect(page.Locator("[data-testid=chat-input]")).ToHaveAttributeAsync("data-keys-ready", "true");
        await page.FillAsync("[data-testid=chat-input]", question);
        await page.PressAsync("[data-testid=chat-input]", "Enter");
    }

    internal static ILocator Reply(IPage page) => page.Locator("[data-testid=message][data-role=Assistant]").Last;

    [Fact]
    public async Task A_newcomer_registers_chats_watches_the_reply_stream_and_finds_it_after_a_reload()
    {
        var page = await portal.NewUserPageAsync();
        var email = await RegisterAsync(page);
        await Expect(page.Locator("[data-testid=signed-in-as]")).ToHaveTextAsync(email);
        await StartConversationAsync(page);

        await AskAsync(page, "What is a loop?");

        // The question is shown at once, the reply grows while it streams, then completes.
        await Expect(page.Locator("[data-role=User]").Last).ToContainTextAsync("What is a loop?");
        var streaming = page.Locator("[data-testid=message][data-status=Streaming]");
        await Expect(streaming).ToContainTextAsync("A loop repeats");
        var early = await streaming.InnerTextAsync();
        await Expect(streaming.Locator("[data-testid=stop]")).ToBeVisibleAsync();
        await Expect(Reply(page)).ToHaveAttributeAsync("data-status", "Complete");
        var final = await Reply(page).InnerTextAsync();
        Assert.DoesNotContain(PortalFixture.ReplyEnd, early);
        Assert.Contains(PortalFixture.ReplyEnd, final);
        await Expect(Reply(page).Locator("strong")).ToHaveTextAsync("loop"); // Markdown rendered
        await Expect(Reply(page).Locator("[data-testid=message-usage]")).ToContainTextAsync("openai/gpt-oss-20b");

        await page.ReloadAsync();
        await WaitUntilInteractiveAsync(page);

        await Expect(page.Locator("[data-role=User]").Last).ToContainTextAsync("What is a loop?");
        await Expect(Reply(page)).ToContainTextAsync(PortalFixture.ReplyEnd);
        await Expect(page.Locator("[data-testid=conversation-link]").First).ToHaveTextAsync("What is a loop?");
    }

    [Fact]
    public async Task Enter_pressed_before_the_server_has_answered_the_typing_still_sends()
    {
        var page = await portal.NewUserPageAsync();
        // Holds what the server sends to this page while the learner pastes and presses Enter, as a slow
        // network or a loaded server does: the Send button is still the disabled one drawn for an empty box.
        var held = new List<IWebSocketFrame>();
        var holding = false;
        IWebSocketRoute? toPage = null;
        await page.RouteWebSocketAsync(new System.Text.RegularExpressions.Regex("/_blazor"), route =>
        {
            toPage = route;
            var server = route.ConnectToServer();
            server.OnMessage(frame =>
            {
                lock (held)
                {
                    if (holding)
                    {
                        held.Add(frame);
                        return;
                    }
                }
                Forward(route, frame);
            });
        });
        await RegisterAsync(page);
        await StartConversationAsync(page);
        await Expect(page.Locator("[data-testid=chat-input]")).ToHaveAttributeAsync("data-keys-ready", "true");
        await Expect(page.Locator("[data-testid=send]")).ToBeDisabledAsync();

        lock (held)
        {
            holding = true;
        }
        await page.FillAsync("[data-testid=chat-input]", "Why does a while loop stop?");
        await page.PressAsync("[data-testid=chat-input]", "Enter");
        await Expect(page.Locator("[data-testid=send]")).ToBeDisabledAsync(); // nothing from the server yet
        lock (held)
        {
            foreach (var frame in held)
            {
                Forward(toPage!, frame);
            }
            holding = false;
        }

        await Expect(page.Locator("[data-role=User]").Last).ToContainTextAsync("Why does a while loop stop?");
        await Expect(Reply(page)).ToHaveAttributeAsync("data-status", "Complete");
        await Expect(page.Locator("[data-testid=chat-input]")).ToHaveValueAsync("");

        static void Forward(IWebSocketRoute toPage, IWebSocketFrame frame)
        {
            if (frame.Binary is { } bytes)
            {
                toPage.Send(bytes);
            }
            else
            {
                toPage.Send(frame.Text ?? "");
            }
        }
    }

    [Fact]
    public async Task A_conversation_is_drawn_in_the_learners_theme_before_the_live_connection_and_cannot_be_typed_into_until_then()
    {
        // A learner 5½ hours from UTC: a page drawn in UTC would show other times than the live page.
        var page = await portal.NewUserPageAsync(timezoneId: "Asia/Kolkata");
        await RegisterAsync(page);
        await StartConversationAsync(page);
        await AskAsync(page, "How does a for loop end?");
        await Expect(Reply(page)).ToContainTextAsync(PortalFixture.ReplyEnd);
        await Expect(Reply(page)).ToHaveAttributeAsync("data-status", "Complete");
        var conversation = page.Url;
        var shownAt = await Reply(page).Locator("[data-testid=message-time]").InnerTextAsync();
        // The live page shows it in the learner's zone (within a minute or two of now there; UTC is 5½ hours off).
        var now = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Kolkata")).DateTime);
        var shown = TimeOnly.ParseExact(shownAt.Trim(), "HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Math.Min((now - shown).TotalMinutes, (shown - now).TotalMinutes) <= 2, $"shown {shownAt}, now {now} in Kolkata");
        // Any page leaves the zone in the cookie the server reads to draw the next first paint (written once the page is
        // idle, not before its first paint), before anything else is chosen.
        // (The zone as the browser names it: Chromium says Asia/Calcutta, an older alias.)
        await page.WaitForFunctionAsync(
            "() => decodeURIComponent(decodeURIComponent(document.cookie)).includes(`tz=${Intl.DateTimeFormat().resolvedOptions().timeZone}`)");
        // The learner prefers the dark theme (chosen in the app bar; the browser remembers it).
        var toggle = page.Locator("[data-testid=theme-toggle]");
        for (var clicks = 0; clicks < 3 && await page.Locator("[data-testid=app-root]").GetAttributeAsync("data-theme") != "dark"; clicks++)
        {
            var label = (await toggle.GetAttributeAsync("aria-label"))!;
            await toggle.ClickAsync();
            await Expect(toggle).Not.ToHaveAttributeAsync("aria-label", label);
        }
        await Expect(page.Locator("[data-testid=app-root]")).ToHaveAttributeAsync("data-theme", "dark");

        // A second tab whose live connection never comes up (a proxy that drops WebSockets, or just its first moment).
        var stalled = await page.Context.NewPageAsync();
        await stalled.RouteWebSocketAsync(new System.Text.RegularExpressions.Regex("/_blazor"), _ => { /* never connects to the server */ });
        await stalled.GotoAsync(conversation);

        // Drawn by the server: the conversation, in the dark theme, and nothing can be typed or pressed yet.
        await Expect(Reply(stalled)).ToContainTextAsync(PortalFixture.ReplyEnd);
        await Expect(stalled.Locator("[data-role=User]")).ToContainTextAsync("How does a for loop end?");
        await Expect(stalled.Locator("[data-testid=app-root]")).ToHaveAttributeAsync("data-theme", "dark");
        await Expect(Reply(stalled).Locator("[data-testid=message-time]")).ToHaveTextAsync(shownAt); // in the learner's time zone
        await Expect(stalled.Locator("[data-testid=chat-input]")).ToBeDisabledAsync();
        await Expect(stalled.Locator("[data-testid=chat-page]")).ToHaveAttributeAsync("data-ready", "false");
        Assert.Equal("", await stalled.Locator("[data-testid=app-root]").GetAttributeAsync("inert"));

        // The title: the conversation's, drawn by the server, and set by the live page as the learner moves on.
        var title = await page.Locator("[data-testid=conversation-title]").InnerTextAsync();
        await Expect(page).ToHaveTitleAsync($"{title} · CodeMentor");
        Assert.Equal($"{title} · CodeMentor", await stalled.TitleAsync());
        await page.ClickAsync("[data-testid=nav-review]");
        await Expect(page).ToHaveTitleAsync("Code review · CodeMentor");
        await page.GoBackAsync();
        await Expect(page).ToHaveTitleAsync($"{title} · CodeMentor");
    }

    [Fact]
    public async Task A_reply_goes_on_through_a_page_refresh_and_completes()
    {
        var page = await portal.NewUserPageAsync();
        await RegisterAsync(page);
        await StartConversationAsync(page);
        await AskAsync(page, "Explain loops slowly");
        await Expect(page.Locator("[data-status=Streaming]")).ToContainTextAsync("Step 1");

        await page.ReloadAsync();
        await WaitUntilInteractiveAsync(page);

        // Right after the reload the reply is still being written, and it continues live.
        await Expect(page.Locator("[data-testid=message][data-status=Streaming]")).ToContainTextAsync("A loop repeats");
        await Expect(Reply(page)).ToHaveAttributeAsync("data-status", "Complete");
        await Expect(Reply(page)).ToContainTextAsync(PortalFixture.ReplyEnd);
    }

    [Fact]
    public async Task The_thread_follows_a_long_reply_until_the_learner_scrolls_up_then_offers_to_jump_to_the_latest()
    {
        var page = await portal.NewUserPageAsync();
        await page.SetViewportSizeAsync(1280, 700);
        await RegisterAsync(page);
        await StartConversationAsync(page);
        // A reply several screens long, streamed over ~6 seconds.
        var text = string.Concat(Enumerable.Range(1, 60).Select(i => $"Paragraph {i} explains one more detail about loops.\n\n")) + PortalFixture.ReplyEnd;
        portal.Groq.Enqueue(FakeGroqServer.ReplyAtRate(GroqStream.Reply(text, pieceLength: 8), eventsPerSecond: 70));
        var scroller = page.Locator("[data-testid=chat-scroller]");

        await AskAsync(page, "Explain loops in depth");
        await Expect(page.Locator("[data-status=Streaming]")).ToContainTextAsync("Paragraph 20");
        // Following: once the reply overflows the thread, its newest text stays in view while it grows. Both are read in
        // the same frame: the scroll lands a frame after the text, and a slow browser may not overflow by Paragraph 20.
        await page.WaitForFunctionAsync(FollowingAnOverflowingReply);
        await Expect(page.Locator("[data-status=Streaming]")).ToHaveCountAsync(1);

        // Scrolling up to read stops the following; new text then offers a jump back.
        await scroller.HoverAsync();
        await page.Mouse.WheelAsync(0, -600);
        await Expect(page.Locator("[data-testid=jump-latest]")).ToBeVisibleAsync();
        // The wheel's scroll may still be gliding when the offer appears; what matters is that it is not pulled back down.
        await page.WaitForFunctionAsync("() => { const e = document.querySelector('[data-testid=chat-scroller]'); return e.scrollHeight - e.scrollTop - e.clientHeight > 100; }");

        await page.ClickAsync("[data-testid=jump-latest]");
        await Expect(Reply(page)).ToHaveAttributeAsync("data-status", "Complete", new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-testid=jump-latest]")).ToBeHiddenAsync();
        await Expect(Reply(page)).ToContainTextAsync(PortalFixture.ReplyEnd);
        await page.WaitForFunctionAsync(AtBottom);
    }

    private const string FollowingAnOverflowingReply = """
        () => { const e = document.querySelector('[data-testid=chat-scroller]'); return e.scrollHeight - e.clientHeight > 200 && e.scrollHeight - e.scrollTop - e.clientHeight < 48; }
        """;

    private const string AtBottom = """
        () => { const e = document.querySelector('[data-testid=chat-scroller]'); return e.scrollHeight - e.scrollTop - e.clientHeight < 48; }
        """;

    [Fact]
    public async Task Stop_keeps_the_partial_reply_with_its_status()
    {
        var page = await portal.NewUserPageAsync();
        await RegisterAsync(page);
        await StartConversationAsync(page);
        await AskAsync(page, "Tell me about loops");
        await Expect(page.Locator("[data-status=Streaming]")).ToContainTextAsync("Step 1");

        await page.ClickAsync("[data-testid=stop]");

        await Expect(Reply(page)).ToHaveAttributeAsync("data-status", "Stopped");
        await Expect(Reply(page).Locator("[data-testid=message-status]")).ToContainTextAsync("Stopped by you");
        Assert.DoesNotContain(PortalFixture.ReplyEnd, await Reply(page).InnerTextAsync());
        await page.ReloadAsync();
        await Expect(Reply(page)).ToHaveAttributeAsync("data-status", "Stopped");
    }

    [Fact]
    public async Task A_second_user_who_opens_the_first_users_conversation_url_sees_nothing_of_it()
    {
        var ada = await portal.NewUserPageAsync();
        await RegisterAsync(ada);
        var url = await StartConversationAsync(ada);
        await AskAsync(ada, "My secret project is called Bluebird");
        await Expect(ada.Locator("[data-testid=message][data-role=Assistant][data-status=Complete]")).ToHaveCountAsync(2);

        var bob = await portal.NewUserPageAsync();
        await RegisterAsync(bob);
        await bob.GotoAsync(url);
        await WaitUntilInteractiveAsync(bob);

        await Expect(bob.Locator("[data-testid=conversation-not-found]")).ToBeVisibleAsync();
        Assert.DoesNotContain("Bluebird", await bob.ContentAsync());
        await Expect(bob.Locator("[data-testid=conversation-link]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Chat_requires_signing_in()
    {
        var page = await portal.NewUserPageAsync();

        await page.GotoAsync("chat");

        await page.WaitForAddressAsync("/account/login");
    }
}
