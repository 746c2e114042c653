using System.Diagnostics;
using System.Globalization;
using CodeMentor.Core.Usage;
using CodeMentor.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CodeMentor.Benchmarks;

/// <summary>
/// How soon each page is usable and how soon the first words of a reply appear after Enter, in headless
/// Chromium against the real portal (fake Groq answering at once). Baseline in the same run: navigating to
/// a static file (one HTTP round trip and no circuit), so the ratios say what Blazor and the page add.
/// </summary>
public static class PageTimingBenchmark
{
    private static readonly (string Name, string Url, string Ready)[] Pages =
    [
        ("chat", "chat", "[data-testid=chat-page]"),
        ("review", "review", "[data-testid=review-page]"),
        ("exercises", "exercises", "[data-testid=exercises-page]"),
        ("concepts", "concepts", "[data-testid=concepts-page]"),
        ("profile", "profile", "[data-testid=profile-page]"),
        ("admin dashboard (empty)", "admin", "[data-testid=admin-dashboard]"),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var repeats = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 7;
        await using var portal = await BenchmarkPortal.StartAsync("pages");
        portal.Groq.Default = FakeGroqServer.Reply(GroqStream.Reply("A loop repeats a block of code while a condition holds. " +
            string.Concat(Enumerable.Repeat("Each pass runs the body once. ", 20)), pieceLength: 8));
        var context = await portal.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserBenchmark.RegisterAsync(page); // the first account: an admin, so the dashboard can be timed too

        Console.WriteLine(portal.Header("Page timing benchmark"));
        Console.WriteLine($"Median and slowest of {repeats} loads each, after one warm-up load.");
        Console.WriteLine();
        Console.WriteLine("| What | Median | Slowest | Median ÷ static-file baseline |");
        Console.WriteLine("|---|---:|---:|---:|");

        var baseline = await TimeAsync(repeats, async () => await page.GotoAsync("favicon.png"));
        Console.WriteLine($"| baseline: a static file | {baseline.Median:0} ms | {baseline.Max:0} ms | 1.0× |");
        foreach (var (name, url, ready) in Pages)
        {
            var timing = await TimeAsync(repeats, async () =>
            {
                await page.GotoAsync(url);
                await Assertions.Expect(page.Locator(ready)).ToHaveAttributeAsync("data-ready", "true");
            });
            Console.WriteLine($"| {name}: open until ready | {timing.Median:0} ms | {timing.Max:0} ms | {timing.Median / baseline.Median:0.0}× |");
        }

        // Enter → first words of the reply on screen, measured inside the page (no test-driver latency): on /chat,
        // where the message also creates the conversation, and in an open conversation.
        var onChat = await TimeBothAsync(repeats, async () =>
        {
            await page.GotoAsync("chat");
            return await FirstWordsAsync(page);
        });
        var inConversation = await TimeBothAsync(repeats, async () =>
        {
            await Assertions.Expect(page.Locator("[data-testid=send]")).ToContainTextAsync("Send");
            await Assertions.Expect(page.Locator("[data-status=Streaming]")).ToHaveCountAsync(0);
            return await FirstWordsAsync(page);
        });
        foreach (var (where, (first, phrase)) in new[] { ("first message, on /chat", onChat), ("open conversation", inConversation) })
        {
            Console.WriteLine($"| chat: Enter until the reply's first text shows ({where}) | {first.Median:0} ms | {first.Max:0} ms | {first.Median / baseline.Median:0.0}× |");
            Console.WriteLine($"| chat: Enter until its first two chunks show ({where}) | {phrase.Median:0} ms | {phrase.Max:0} ms | {phrase.Median / baseline.Median:0.0}× |");
        }

        // The dashboard again with a month of usage in the ledger (the seeder's realistic rows), for the
        // "charts at 1M rows" goal; `pages 7 1000000`.
        if (args.Length > 1 && int.Parse(args[1], CultureInfo.InvariantCulture) is > 0 and var rows)
        {
            var seeding = Stopwatch.StartNew();
            await portal.App.Services.GetRequiredService<UsageSeeder>().SeedAsync(rows, days: 30);
            Console.WriteLine($"| (seeded {rows:N0} ledger rows in {seeding.Elapsed.TotalSeconds:0.0} s) | | | |");
            // The charts are drawn on the server for the first paint: the browser's own first-contentful-paint time,
            // provided the charts were in the HTML as it was parsed (before any circuit), is when they show.
            await page.AddInitScriptAsync("""
                document.addEventListener('DOMContentLoaded', () => {
                  window.__chartsInFirstHtml = document.querySelectorAll('[data-testid=charts] svg').length;
                });
                """);
            var serverDone = new List<double>();
            var painted = await TimeAsync(repeats, async () =>
            {
                await page.GotoAsync("admin");
                var paint = await page.EvaluateAsync<double[]>("""
                    () => new Promise(resolve => new PerformanceObserver((list, observer) => {
                      const fcp = list.getEntries().find(e => e.name === 'first-contentful-paint');
                      const html = performance.getEntriesByType('navigation')[0];
                      if (fcp) { observer.disconnect(); resolve([fcp.startTime, window.__chartsInFirstHtml ?? 0, html.responseEnd]); }
                    }).observe({ type: 'paint', buffered: true }))
                    """);
                if (paint[1] < 1)
                {
                    throw new InvalidOperationException("The dashboard's first paint had no chart: its time is not the charts' time.");
                }
                serverDone.Add(paint[2]);
                // Not timed: the page goes live and its insights load before the next load starts, so no load shares
                // the server with the previous page's circuit starting up (nobody reopens the dashboard every 300 ms).
                await Assertions.Expect(page.Locator("[data-testid=admin-dashboard]")).ToHaveAttributeAsync("data-ready", "true");
                await Assertions.Expect(page.Locator("[data-testid=executive-summary]")).ToBeVisibleAsync();
                return paint[0];
            });
            var html = serverDone.Skip(1).Order().ToList(); // the first was the warm-up
            var full = await TimeAsync(repeats, async () =>
            {
                await page.GotoAsync("admin");
                await Assertions.Expect(page.Locator("[data-testid=admin-dashboard]")).ToHaveAttributeAsync("data-ready", "true");
                await Assertions.Expect(page.Locator("[data-testid=charts] svg").First).ToBeVisibleAsync();
            });
            Console.WriteLine($"| admin dashboard ({rows:N0} ledger rows): open until the charts are painted (first contentful paint, charts in it) | {painted.Median:0} ms | {painted.Max:0} ms | {painted.Median / baseline.Median:0.0}× |");
            Console.WriteLine($"| … of which until its HTML (prerendered with the figures) has arrived | {html[html.Count / 2]:0} ms | {html[^1]:0} ms | |");
            Console.WriteLine($"| admin dashboard ({rows:N0} ledger rows): open until the page is live (circuit up, charts shown) | {full.Median:0} ms | {full.Max:0} ms | {full.Median / baseline.Median:0.0}× |");
        }

        await context.CloseAsync();
        return 0;
    }

    /// <returns>Milliseconds from the page seeing Enter until the reply's first text shows, and until its
    /// first two words ("A loop repeats", which arrive in two stream chunks) show.</returns>
    private static async Task<(double FirstText, double Phrase)> FirstWordsAsync(IPage page)
    {
        await Assertions.Expect(page.Locator("[data-testid=chat-input]")).ToHaveAttributeAsync("data-keys-ready", "true");
        await page.FillAsync("[data-testid=chat-input]", "What is a loop?");
        await page.EvaluateAsync("""
            () => {
                window.__firstWords = new Promise(resolve => {
                    // From the moment the page sees Enter: the driver's own latency in delivering the key is not the portal's.
                    let start = performance.now();
                    const onEnter = e => { if (e.key === 'Enter') { start = performance.now(); document.removeEventListener('keydown', onEnter, true); } };
                    document.addEventListener('keydown', onEnter, true);
                    const before = document.querySelectorAll('[data-role=Assistant]').length;
                    const text = () => [...document.querySelectorAll('[data-role=Assistant] [data-testid=message-text]')].slice(before).map(e => e.textContent).join('');
                    let first = null;
                    new MutationObserver((_, observer) => {
                        const shown = text();
                        if (first === null && shown.trim().length > 0) { first = performance.now() - start; }
                        if (shown.includes('A loop repeats')) { observer.disconnect(); resolve([first, performance.now() - start]); }
                    }).observe(document.body, { childList: true, subtree: true, characterData: true });
                });
            }
            """);
        await page.PressAsync("[data-testid=chat-input]", "Enter");
        var times = await page.EvaluateAsync<double[]>("() => window.__firstWords");
        return (times[0], times[1]);
    }

    private static async Task<(double Median, double Max)> TimeAsync(int repeats, Func<Task> action) =>
        await TimeAsync(repeats, async () =>
        {
            var watch = Stopwatch.StartNew();
            await action();
            return watch.Elapsed.TotalMilliseconds;
        });

    private static async Task<((double Median, double Max) First, (double Median, double Max) Phrase)> TimeBothAsync(int repeats,
        Func<Task<(double, double)>> measure)
    {
        var samples = new List<(double First, double Phrase)>();
        var first = await TimeAsync(repeats, async () =>
        {
            var sample = await measure();
            samples.Add(sample);
            return sample.Item1;
        });
        var phrases = samples.Skip(1).Select(s => s.Phrase).Order().ToList(); // the first was the warm-up
        return (first, (phrases[phrases.Count / 2], phrases[^1]));
    }

    private static async Task<(double Median, double Max)> TimeAsync(int repeats, Func<Task<double>> measure)
    {
        await measure(); // warm-up
        var samples = new List<double>();
        for (var i = 0; i < repeats; i++)
        {
            samples.Add(await measure());
        }
        samples.Sort();
        return (samples[samples.Count / 2], samples[^1]);
    }
}
