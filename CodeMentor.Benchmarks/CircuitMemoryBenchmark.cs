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
        var chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";
        await using var groq = await FakeGroqServer.StartAsync();
        groq.Default = FakeGroqServer.Reply(GroqStream.Reply("A loop repeats a block of code. " + string.Concat(Enumerable.Repeat("Each pass runs the body once. ", 20))));
        var folder = Path.Combine(Path.GetTempPath(), "codementor-circuits-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var port = LoadBenchmark.FreePort();
        await using var app = LoadBenchmark.BuildApp(folder, groq.BaseUri, port);
        await app.StartAsync();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium, Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = $"http://127.0.0.1:{port}/" });
        context.SetDefaultTimeout(60_000);
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
        var open = new List<IPage>();
        for (var i = 0; i < pages; i++)
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync(conversation);
            await Assertions.Expect(page.Locator("[data-testid=chat-page]")).ToHaveAttributeAsync("data-ready", "true");
            await Assertions.Expect(page.Locator("[data-role=Assistant][data-status=Complete]")).ToHaveCountAsync(2);
            open.Add(page);
        }
        await Task.Delay(TimeSpan.FromSeconds(2));
        var after = Heap();

        Console.WriteLine($"# Circuit memory benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, Chromium {browser.Version}, .NET {Environment.Version}");
        Console.WriteLine();
        Console.WriteLine("| What | Managed heap | Per page |");
        Console.WriteLine("|---|---:|---:|");
        Console.WriteLine($"| baseline: server up, browser connected, no page open | {before / 1024.0 / 1024:0.0} MB | |");
        Console.WriteLine($"| {pages} idle chat pages, each showing a conversation with one reply | {after / 1024.0 / 1024:0.0} MB | **{(after - before) / 1024.0 / pages:0} KB** |");

        foreach (var page in open)
        {
            await page.CloseAsync();
        }
        await context.CloseAsync();
        await LoadBenchmark.StopAsync(app, folder);
        return 0;
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
