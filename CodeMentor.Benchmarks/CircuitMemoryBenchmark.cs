using System.Globalization;
using CodeMentor.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CodeMentor.Benchmarks;

/// <summary>
/// Managed memory the server holds per idle chat page (one Blazor circuit each): N pages of one
/// signed-in learner are opened on /chat with a conversation shown, the server's heap is measured
/// after full collections, and the difference from the same server with no page open is divided by N.
/// Baseline in the same run: the heap with the browser connected but no page open, taken after a few pages were
/// opened and closed, so what the process builds once (DI's compiled resolvers, JIT'd dynamic methods, static caches)
/// is not counted as if every page held it. <c>circuits 30 chat 10 10</c> shows a conversation of 10 exchanges with
/// 10 conversations in the list, as a learner's page after some use holds more than a first conversation's; the
/// replies after the first are tutor-like Markdown (<see cref="BrowserBenchmark.ReplyText"/>).
/// </summary>
public static class CircuitMemoryBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var pages = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 40;
        // Another page (e.g. "concepts") to compare with: what the layout and the circuit cost without the chat.
        var other = args.Length > 1 && args[1] != "chat" ? args[1] : null;
        var exchanges = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
        var conversations = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1;
        await using var portal = await BenchmarkPortal.StartAsync("circuits");
        portal.Groq.Default = FakeGroqServer.Reply(GroqStream.Reply("A loop repeats a block of code. " + string.Concat(Enumerable.Repeat("Each pass runs the body once. ", 20))));
        var context = await portal.NewContextAsync();
        var first = await context.NewPageAsync();
        await BrowserBenchmark.RegisterAsync(first);
        // A conversation with one question and its reply, as a learner leaves a page open.
        await Assertions.Expect(first.Locator("[data-testid=chat-input]")).ToHaveAttributeAsync("data-keys-ready", "true");
        await first.FillAsync("[data-testid=chat-input]", "What is a loop?");
        await first.PressAsync("[data-testid=chat-input]", "Enter");
        await Assertions.Expect(first.Locator("[data-role=Assistant][data-status=Complete]")).ToHaveCountAsync(2);
        var conversation = first.Url;
        await first.CloseAsync();
        // The added exchanges are answered as a tutor would: ~300 tokens of Markdown in 12 blocks (headings, lists, code).
        portal.Groq.Default = FakeGroqServer.Reply(GroqStream.Reply(BrowserBenchmark.ReplyText(300)));
        await AddUsageAsync(portal, new Guid(conversation.Split('/')[^1]), exchanges - 1, conversations - 1);

        // Warm-up: what the first pages build once for the whole process is not per page.
        for (var i = 0; i < 3; i++)
        {
            var page = await context.NewPageAsync();
            await OpenAsync(page, other, conversation, exchanges);
            await page.CloseAsync();
        }
        await Task.Delay(TimeSpan.FromSeconds(2)); // the closed pages' circuits are released

        var before = Heap();
        await HoldAsync("no page");
        var open = new List<IPage>();
        for (var i = 0; i < pages; i++)
        {
            var page = await context.NewPageAsync();
            await OpenAsync(page, other, conversation, exchanges);
            open.Add(page);
        }
        await Task.Delay(TimeSpan.FromSeconds(2));
        var after = Heap();
        await HoldAsync($"{pages} pages");

        Console.WriteLine(portal.Header("Circuit memory benchmark"));
        Console.WriteLine();
        Console.WriteLine("| What | Managed heap | Per page |");
        Console.WriteLine("|---|---:|---:|");
        Console.WriteLine($"| baseline: server up, browser connected, no page open | {before / 1024.0 / 1024:0.0} MB | |");
        var what = other is not null ? $"idle /{other} pages"
            : exchanges == 1 && conversations == 1 ? "idle chat pages, each showing a conversation with one reply"
            : $"idle chat pages, each showing a conversation of {exchanges} exchanges, {conversations} conversations in the list";
        Console.WriteLine($"| {pages} {what} | {after / 1024.0 / 1024:0.0} MB | **{(after - before) / 1024.0 / pages:0} KB** |");

        foreach (var page in open)
        {
            await page.CloseAsync();
        }
        await context.CloseAsync();
        return 0;
    }

    private static async Task OpenAsync(IPage page, string? other, string conversation, int exchanges)
    {
        if (other is not null)
        {
            await page.GotoAsync(other);
            await Assertions.Expect(page.Locator("[data-ready=true]")).ToHaveCountAsync(1);
            return;
        }
        await page.GotoAsync(conversation);
        await Assertions.Expect(page.Locator("[data-testid=chat-page]")).ToHaveAttributeAsync("data-ready", "true");
        // The greeting and one reply per exchange.
        await Assertions.Expect(page.Locator("[data-role=Assistant][data-status=Complete]")).ToHaveCountAsync(1 + exchanges);
    }

    /// <summary>More exchanges in the shown conversation and more conversations in the list, written through the
    /// portal's own services (the same path as the hub), so the pages show what a learner's would after some use.</summary>
    private static async Task AddUsageAsync(BenchmarkPortal portal, Guid conversation, int exchanges, int conversations)
    {
        var services = portal.App.Services;
        var store = services.GetRequiredService<CodeMentor.Core.Tutoring.ConversationStore>();
        var chat = services.GetRequiredService<CodeMentor.Core.Tutoring.ConversationService>();
        var db = services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<CodeMentor.Core.Data.AppDbContext>>();
        await using var context = await db.CreateDbContextAsync();
        var userId = context.Conversations.Where(c => c.Id == conversation).Select(c => c.UserId).Single();
        for (var i = 0; i < exchanges; i++)
        {
            var sent = await chat.SendAsync(userId, conversation, $"And what about case {i + 2}?");
            await sent.Run!.Completion;
        }
        for (var i = 0; i < conversations; i++)
        {
            var other = await store.CreateAsync(userId, new CodeMentor.Core.Prompts.LearnerContext(), reuseUnused: false);
            var sent = await chat.SendAsync(userId, other, $"Question {i + 1}: how do I read a file?");
            await sent.Run!.Completion;
        }
    }

    /// <summary>
    /// Time to take a heap snapshot from outside (dotnet-dump collect -p PID, then dumpheap -stat), once with no
    /// page open and once with all open, so the two can be compared type by type.
    /// </summary>
    private static async Task HoldAsync(string state)
    {
        if (Environment.GetEnvironmentVariable("CODEMENTOR_CIRCUITS_HOLD") is { } hold)
        {
            Console.WriteLine($"Holding with {state} open for {hold} s (process {Environment.ProcessId}).");
            await Task.Delay(TimeSpan.FromSeconds(int.Parse(hold, CultureInfo.InvariantCulture)));
        }
    }

    private static long Heap()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
