using System.Globalization;
using CodeMentor.Testing;
using Microsoft.Playwright;

namespace CodeMentor.Benchmarks;

/// <summary>
/// Managed memory the server holds per idle chat page (one Blazor circuit each): N pages of one
/// signed-in learner are opened on /chat with a conversation shown, the server's heap is measured
/// after full collections, and the difference from the same server with no page open is divided by N.
/// Baseline in the same run: the heap with the browser connected but no page open.
/// </summary>
public static class CircuitMemoryBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var pages = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 40;
        // Another page (e.g. "concepts") to compare with: what the layout and the circuit cost without the chat.
        var other = args.Length > 1 ? args[1] : null;
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
        await Task.Delay(TimeSpan.FromSeconds(2)); // the closed page's circuit is released

        var before = Heap();
        await HoldAsync("no page");
        var open = new List<IPage>();
        for (var i = 0; i < pages; i++)
        {
            var page = await context.NewPageAsync();
            if (other is not null)
            {
                await page.GotoAsync(other);
                await Assertions.Expect(page.Locator("[data-ready=true]")).ToHaveCountAsync(1);
            }
            else
            {
                await page.GotoAsync(conversation);
                await Assertions.Expect(page.Locator("[data-testid=chat-page]")).ToHaveAttributeAsync("data-ready", "true");
                await Assertions.Expect(page.Locator("[data-role=Assistant][data-status=Complete]")).ToHaveCountAsync(2);
            }
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
        var what = other is null ? "idle chat pages, each showing a conversation with one reply" : $"idle /{other} pages";
        Console.WriteLine($"| {pages} {what} | {after / 1024.0 / 1024:0.0} MB | **{(after - before) / 1024.0 / pages:0} KB** |");

        foreach (var page in open)
        {
            await page.CloseAsync();
        }
        await context.CloseAsync();
        return 0;
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
