using CodeMentor.Testing;
using CodeMentor.Tests.Support;
using Microsoft.Playwright;
using static CodeMentor.Tests.EndToEnd.ChatJourneyTests;
using static Microsoft.Playwright.Assertions;

namespace CodeMentor.Tests.EndToEnd;

/// <summary>A learner's browser moving between two nodes (PostgreSQL and Redis shared), as a load
/// balancer that loses its stickiness moves it: signed in on one, the reply written there is shown
/// live on the other, and Stop pressed on the other stops it.</summary>
public sealed class ScaleOutJourneyTests
{
    [Fact]
    public async Task A_reply_written_on_node_A_is_watched_live_on_node_B_and_stopped_from_there()
    {
        await using var nodes = await TwoNodes.StartAsync(new Dictionary<string, string?> { ["Llm:CacheTtlSeconds"] = "0" });
        // ~80 pieces at 150 ms: about twelve seconds, long enough to open the other node while it is written
        // even on a loaded machine (at 60 ms, a CI-like load let the reply end before node B's page was up).
        var text = "A **loop** repeats a block of code. " + string.Concat(Enumerable.Range(1, 14).Select(i => $"Step {i} runs again. "))
            + PortalFixture.ReplyEnd;
        nodes.A.Groq.Default = FakeGroqServer.Reply(GroqStream.Reply(text, pieceLength: 4), TimeSpan.FromMilliseconds(150));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await PortalFixture.LaunchChromiumAsync(playwright);
        // One browser profile: the sign-in cookie made on node A is sent to node B (cookies ignore the port).
        var profile = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = nodes.A.BaseUri.ToString() });
        profile.SetDefaultTimeout(30_000);
        var onA = await profile.NewPageAsync();
        await RegisterAsync(onA);
        var conversation = new Uri(await StartConversationAsync(onA)).PathAndQuery.TrimStart('/');

        await AskAsync(onA, "What is a loop?");
        await Expect(onA.Locator("[data-testid=message][data-status=Streaming]")).ToContainTextAsync("Step 1");
        var onB = await profile.NewPageAsync();
        await onB.GotoAsync(new Uri(nodes.B.BaseUri, conversation).ToString());
        await WaitUntilInteractiveAsync(onB);

        // Node B shows the reply still being written, from its first words, and then whole.
        await Expect(onB.Locator("[data-testid=message][data-status=Streaming]")).ToContainTextAsync("A loop repeats");
        await Expect(Reply(onB)).ToHaveAttributeAsync("data-status", "Complete");
        await Expect(Reply(onB)).ToContainTextAsync(PortalFixture.ReplyEnd);
        await Expect(Reply(onB).Locator("strong")).ToHaveTextAsync("loop");
        await Expect(Reply(onA)).ToHaveAttributeAsync("data-status", "Complete");
        Assert.Equal(await Reply(onA).Locator("[data-testid=message-text]").InnerTextAsync(),
            await Reply(onB).Locator("[data-testid=message-text]").InnerTextAsync());
        Assert.Empty(nodes.B.Groq.Requests); // written on A only

        // This one would take minutes: it is stopped long before its end.
        var longer = "A loop repeats. " + string.Concat(Enumerable.Range(1, 300).Select(i => $"Step {i} runs again. "));
        nodes.A.Groq.Default = FakeGroqServer.Reply(GroqStream.Reply(longer, pieceLength: 4), TimeSpan.FromMilliseconds(100));
        await AskAsync(onA, "Once more, slowly");
        await Expect(onA.Locator("[data-testid=message][data-status=Streaming]")).ToContainTextAsync("Step 1");
        await onB.ReloadAsync();
        await WaitUntilInteractiveAsync(onB);
        await onB.Locator("[data-testid=message][data-status=Streaming] [data-testid=stop]").ClickAsync();

        // Stopped where it ran, said on both pages, the text so far kept.
        await Expect(Reply(onA)).ToHaveAttributeAsync("data-status", "Stopped");
        await Expect(Reply(onA).Locator("[data-testid=message-status]")).ToContainTextAsync("Stopped by you");
        await Expect(Reply(onB)).ToHaveAttributeAsync("data-status", "Stopped");
        // Waited for, not read once: the page swaps the streamed reply for the saved one just after the status shows.
        await Expect(Reply(onA)).ToContainTextAsync("A loop repeats");
        Assert.DoesNotContain("Step 300", await Reply(onA).InnerTextAsync());
    }
}
