using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CodeMentor.Tests.EndToEnd;

/// <summary>
/// Text typed or pasted into a page is never silently lost (found by the independent run: text over
/// ~16,000 characters closed the circuit). Each page accepts exactly what its limit says, counted as
/// the learner sees characters, and refuses anything larger with a message, keeping the text.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class LongInputJourneyTests(PortalFixture portal)
{
    /// <summary>Puts text in a box as a paste does: the whole value at once, then one input event.</summary>
    internal static Task PasteAsync(IPage page, string selector, string text) =>
        page.EvalOnSelectorAsync(selector, "(box, text) => { box.value = text; box.dispatchEvent(new Event('input', { bubbles: true })); }", text);

    private static async Task SendAsync(IPage page, string text, int expectedLearnerMessages)
    {
        await PasteAsync(page, "[data-testid=chat-input]", text);
        await Expect(page.Locator("button[data-testid=send]")).ToBeEnabledAsync();
        await page.ClickAsync("button[data-testid=send]");
        await Expect(page.Locator("[data-role=User]")).ToHaveCountAsync(expectedLearnerMessages);
        // Saved in full, and answered (or, when the provider refuses so much, told why).
        var saved = page.Locator("[data-role=User]").Nth(expectedLearnerMessages - 1).Locator("[data-testid=message-text]");
        Assert.Equal(System.Globalization.StringInfo.ParseCombiningCharacters(text).Length,
            System.Globalization.StringInfo.ParseCombiningCharacters((await saved.InnerTextAsync()).Trim()).Length);
        await Expect(ChatJourneyTests.Reply(page)).Not.ToHaveAttributeAsync("data-status", "Streaming");
        if (await ChatJourneyTests.Reply(page).GetAttributeAsync("data-status") != "Complete")
        {
            await Expect(ChatJourneyTests.Reply(page).Locator("[data-testid=message-status]")).ToContainTextAsync("Reply failed:");
        }
    }

    [Fact]
    public async Task The_chat_takes_text_up_to_its_limit_in_any_script_and_refuses_more_without_losing_it()
    {
        var page = await portal.NewUserPageAsync();
        await ChatJourneyTests.RegisterAsync(page);
        await ChatJourneyTests.StartConversationAsync(page);
        await Expect(page.Locator("[data-testid=chat-input]")).ToHaveAttributeAsync("data-keys-ready", "true");

        await SendAsync(page, new string('a', 20_000), 1);
        await SendAsync(page, new string('é', 10_000), 2);
        await SendAsync(page, string.Concat(Enumerable.Repeat("語", 32_000)), 3);

        // One over: refused before anything is sent, and the text stays.
        var over = new string('b', 32_001);
        await PasteAsync(page, "[data-testid=chat-input]", over);
        await Expect(page.Locator("[data-testid=chat-input-count]")).ToContainTextAsync("Your message is 32,001 characters; the limit is 32,000.");
        await Expect(page.Locator("button[data-testid=send]")).ToBeDisabledAsync();
        Assert.Equal(over, await page.InputValueAsync("[data-testid=chat-input]"));

        // Far too big to even reach the server: kept in the browser, the page still works.
        var enormous = new string('c', 1_200_000);
        await PasteAsync(page, "[data-testid=chat-input]", enormous);
        await Expect(page.Locator("[data-testid=chat-input-count]")).ToContainTextAsync("far too long to send");
        await Expect(page.Locator("button[data-testid=send]")).ToBeDisabledAsync();
        Assert.Equal(1_200_000, (await page.InputValueAsync("[data-testid=chat-input]")).Length);
        await SendAsync(page, "And a short one", 4);
    }

    [Fact]
    public async Task A_review_takes_60000_characters_and_refuses_more_with_a_message()
    {
        var page = await portal.NewUserPageAsync();
        await ChatJourneyTests.RegisterAsync(page);
        await page.ClickAsync("[data-testid=nav-review]");
        await Expect(page.Locator("[data-testid=review-page]")).ToHaveAttributeAsync("data-ready", "true");

        var tooMuch = string.Concat(Enumerable.Repeat("x = 1\n", 10_000)) + "y";
        await PasteAsync(page, "[data-testid=review-code]", tooMuch);
        await Expect(page.Locator("[data-testid=review-code-count]")).ToContainTextAsync("The code is 60,001 characters; the limit is 60,000.");
        await Expect(page.Locator("[data-testid=review-submit]")).ToBeDisabledAsync();

        var exactly = string.Concat(Enumerable.Repeat("x = 1\n", 10_000));
        await PasteAsync(page, "[data-testid=review-code]", exactly);
        await Expect(page.Locator("[data-testid=review-submit]")).ToBeEnabledAsync();
        await page.ClickAsync("[data-testid=review-submit]");
        await page.WaitForAddressAsync("/review/[^/]*$");
        await Expect(page.Locator("[data-testid=reviewed-code] .line")).ToHaveCountAsync(10_000);
    }
}
