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
/// replies after the first are tutor-like Markdown (<see cref="BrowserBenchmark.ReplyText"/>). The measured pages are
/// opened by a second process of this program, so the browser driver's own per-page objects are not counted.
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

        // The measured pages are driven from another process by default: Playwright's own objects for each open page
        // (its channels, the page and frame objects, their strings; about 6 KB a page in a heap dump) are the
        // benchmark's, not the server's. CODEMENTOR_CIRCUITS_DRIVER=in-process drives them from here, as before.
        var inProcess = Environment.GetEnvironmentVariable("CODEMENTOR_CIRCUITS_DRIVER") == "in-process";
        var session = Path.Combine(Path.GetTempPath(), $"codementor-circuits-{Guid.NewGuid():N}.json");
        await context.StorageStateAsync(new() { Path = session });

        var before = Heap();
        await HoldAsync("no page");
        var open = new List<IPage>();
        PagesProcess? driver = null;
        if (inProcess)
        {
            for (var i = 0; i < pages; i++)
            {
                var page = await context.NewPageAsync();
                await OpenAsync(page, other, conversation, exchanges);
                open.Add(page);
            }
        }
        else
        {
            driver = await PagesProcess.StartAsync([portal.BaseUrl, session, other ?? "chat", conversation, $"{exchanges}", $"{pages}"]);
        }
        await Task.Delay(TimeSpan.FromSeconds(2));
        var after = Heap();
        await HoldAsync($"{pages} pages");
        if (driver is not null)
        {
            await driver.DisposeAsync();
        }
        File.Delete(session);

        Console.WriteLine(portal.Header("Circuit memory benchmark"));
        Console.WriteLine();
        Console.WriteLine("| What | Managed heap | Per page |");
        Console.WriteLine("|---|---:|---:|");
        Console.WriteLine($"| baseline: server up, browser connected, no page open | {before / 1024.0 / 1024:0.0} MB | |");
        Console.WriteLine($"Pages driven from {(inProcess ? "this process (Playwright's per-page objects counted)" : "another process")}.");
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

    /// <summary>The measured pages' driver in its own process (<c>circuit-pages</c>): opens them signed in as the
    /// benchmark's learner, says so, and keeps them open until its input closes.</summary>
    public static async Task<int> DrivePagesAsync(string[] args)
    {
        var (baseUrl, session, other, conversation) = (args[0], args[1], args[2] == "chat" ? null : args[2], args[3]);
        var (exchanges, count) = (int.Parse(args[4], CultureInfo.InvariantCulture), int.Parse(args[5], CultureInfo.InvariantCulture));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BenchmarkPortal.LaunchChromiumAsync(playwright);
        Assertions.SetDefaultExpectTimeout(60_000);
        var context = await browser.NewContextAsync(new() { BaseURL = baseUrl, StorageStatePath = session, ViewportSize = new() { Width = 1366, Height = 800 } });
        context.SetDefaultTimeout(60_000);
        for (var i = 0; i < count; i++)
        {
            await OpenAsync(await context.NewPageAsync(), other, conversation, exchanges);
        }
        Console.WriteLine("open");
        await Console.In.ReadToEndAsync(); // until the benchmark has measured
        await context.CloseAsync();
        return 0;
    }

    private sealed class PagesProcess(System.Diagnostics.Process process) : IAsyncDisposable
    {
        public static async Task<PagesProcess> StartAsync(string[] args)
        {
            var start = BenchmarkPortal.SelfStartInfo("circuit-pages", args);
            var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("The page driver did not start.");
            if (await process.StandardOutput.ReadLineAsync() != "open")
            {
                throw new InvalidOperationException($"The page driver ended before opening its pages (exit code {(process.HasExited ? process.ExitCode : -1)}).");
            }
            return new PagesProcess(process);
        }

        public async ValueTask DisposeAsync()
        {
            process.StandardInput.Close();
            await process.WaitForExitAsync();
            process.Dispose();
        }
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
